package io.ifpin.core;

import io.ifpin.bridge.PinBridge;
import io.ifpin.config.ConfigLoader;
import io.ifpin.config.IfpinConfig;
import io.ifpin.config.InvalidConfigException;
import io.ifpin.config.LogLevel;
import io.ifpin.diag.AsyncRouteChecker;
import io.ifpin.diag.InterfaceReport;
import io.ifpin.diag.PinSelfTest;
import io.ifpin.diag.RpFilter;
import io.ifpin.instrument.NativeTransportInstrumentation;
import io.ifpin.instrument.SocketInstrumentation;
import io.ifpin.log.IfpinLog;
import io.ifpin.os.ErrnoException;
import io.ifpin.os.LinuxSocketsJna;
import io.ifpin.os.NetlinkRoutes;
import io.ifpin.os.Routes;
import io.ifpin.os.SocketOptions;
import io.ifpin.pin.ErrorReporter;
import io.ifpin.pin.KernelVersion;
import io.ifpin.pin.Pinner;
import io.ifpin.rules.Rule;

import java.lang.instrument.Instrumentation;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Runs in the agent's isolated class loader, called once from {@code IfpinAgent.premain}: load the config (an
 * invalid one stops the JVM before the application starts), wire the pinning hook, install the instrumentation,
 * and print the one startup line.
 */
public final class AgentInstaller {

    /** Exit status when the config is missing or invalid: the application is not started. */
    static final int EXIT_INVALID_CONFIG = 2;

    private AgentInstaller() {
    }

    public static void install(String agentArgument, Instrumentation instrumentation) {
        long startNanos = System.nanoTime();
        IfpinConfig config = loadConfigOrExit(agentArgument);
        ErrorReporter reporter = new ErrorReporter();
        Runtime.getRuntime().addShutdownHook(new Thread(reporter::logSummary, "ifpin-exit-summary"));

        IfpinLog.debug("config loaded in " + millisSince(startNanos) + " ms");
        openJavaBase(instrumentation);
        SocketOptions sockets;
        try {
            sockets = LinuxSocketsJna.load();
        } catch (Throwable t) {
            IfpinLog.error("cannot call SO_BINDTODEVICE (" + t + "); sockets are NOT pinned. Fix: run on Linux, and"
                    + " if JNA cannot unpack its library, point -Djna.tmpdir at a directory that allows exec.");
            return;
        }
        IfpinLog.debug("native access ready at " + millisSince(startNanos) + " ms");
        Routes routes = loadRoutes();
        AsyncRouteChecker routeChecker = routes == null || config.rules().isEmpty() ? AsyncRouteChecker.DISABLED
                : AsyncRouteChecker.start(routes, RpFilter.PROC);
        Pinner pinner = new Pinner(config.rules(), sockets, reporter, KernelVersion.running(), routeChecker);
        pinner.warmUp();
        PinBridge.install(pinner);
        List<String> uncovered = SocketInstrumentation.install(instrumentation);
        NativeTransportInstrumentation.install(instrumentation);
        List<String> nettyCopies = NativeTransportInstrumentation.scanSystemClassPath();
        Map<String, String> selfTest = PinSelfTest.run(sockets, config.rules().interfaceNames());
        logStartup(config, sockets, uncovered, nettyCopies, selfTest, millisSince(startNanos), routes);
    }

    /** rtnetlink for the route checks; without it ifpin pins as before, unchecked. */
    private static Routes loadRoutes() {
        try {
            return NetlinkRoutes.load();
        } catch (Throwable t) {
            IfpinLog.debug("route checks disabled: " + t);
            return null;
        }
    }

    /** One INFO line per rule: its interface's state (exists, up, addresses, default routes, rp_filter). */
    private static void logInterfaces(IfpinConfig config, Routes routes) {
        if (routes == null || !IfpinLog.isEnabled(LogLevel.INFO)) {
            return;
        }
        try {
            for (InterfaceReport.Status status : new InterfaceReport(routes, RpFilter.PROC)
                    .build(config.rules().rules())) {
                IfpinLog.info(status.toLine());
            }
        } catch (Throwable t) {
            IfpinLog.debug("interface report failed: " + t);
        }
    }

    private static long millisSince(long startNanos) {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }

    private static IfpinConfig loadConfigOrExit(String agentArgument) {
        String location = ConfigLocation.resolve(agentArgument, System.getProperty(ConfigLocation.PROPERTY),
                System.getenv(ConfigLocation.ENVIRONMENT));
        if (location == null) {
            stop("no config file given. Fix: -javaagent:/path/ifpin-agent.jar=/etc/ifpin/ifpin.conf, or -D"
                    + ConfigLocation.PROPERTY + "=/etc/ifpin/ifpin.conf, or the " + ConfigLocation.ENVIRONMENT
                    + " environment variable.");
        }
        try {
            IfpinConfig config = ConfigLoader.load(Path.of(location));
            LogLevel level = config.log().level();
            String levelOverride = System.getProperty("ifpin.log.level");
            if (levelOverride != null) {
                try {
                    level = LogLevel.parse(levelOverride);
                } catch (IllegalArgumentException e) {
                    stop("-Difpin.log.level=" + levelOverride + ": " + e.getMessage());
                }
            }
            IfpinLog.configure(level, config.log().file().orElse(null));
            return config;
        } catch (InvalidConfigException e) {
            stop(e.getMessage());
            return null;
        }
    }

    /** The deliberate stop: a wrong config must not run the application with its sockets silently unpinned. */
    private static void stop(String message) {
        IfpinLog.error(message);
        IfpinLog.error("the application is not started (exit status " + EXIT_INVALID_CONFIG + ").");
        System.exit(EXIT_INVALID_CONFIG);
    }

    /**
     * Lets {@code java.base}, where the advice runs, read the bridge's module (named modules do not read unnamed ones
     * by default), and opens {@code java.io} to ifpin for {@code FileDescriptor.fd}; no command-line flags needed.
     */
    private static void openJavaBase(Instrumentation instrumentation) {
        Module javaBase = Object.class.getModule();
        instrumentation.redefineModule(javaBase, Set.of(PinBridge.class.getModule()), Map.of(),
                Map.of("java.io", Set.of(AgentInstaller.class.getModule())), Set.of(), Map.of());
    }

    /** The interfaces of this network namespace, or none (with a warning) when they cannot be listed. */
    static List<String> interfaceNames(SocketOptions sockets) {
        try {
            return sockets.interfaceNames();
        } catch (ErrnoException e) {
            IfpinLog.warn("cannot list interfaces: " + e.getMessage());
            return List.of();
        }
    }

    private static void logStartup(IfpinConfig config, SocketOptions sockets, List<String> uncovered,
                                   List<String> nettyCopies, Map<String, String> selfTest, long startupMillis,
                                   Routes routes) {
        List<String> interfaces = interfaceNames(sockets);
        List<String> rules = new ArrayList<>();
        for (Rule rule : config.rules().rules()) {
            rules.add(rule.describe());
        }
        IfpinLog.info("ifpin " + Version.current() + " on Java " + Runtime.version() + ", " + KernelVersion.running()
                + ": " + rules.size() + " rule(s) from " + config.source() + " " + rules + "; interfaces "
                + interfaces + "; pinning " + SocketInstrumentation.pathDescriptions() + " and "
                + NativeTransportInstrumentation.description() + (nettyCopies.isEmpty() ? ""
                : " " + nettyCopies) + "; self-test " + selfTestLine(config, selfTest) + "; ready in "
                + startupMillis + " ms");
        logInterfaces(config, routes);
        for (Rule rule : config.rules().rules()) {
            if (!interfaces.isEmpty() && !interfaces.contains(rule.interfaceName())) {
                IfpinLog.warn("rule '" + rule.name() + "' (" + rule.origin() + ") names interface '"
                        + rule.interfaceName() + "', which does not exist in this network namespace now"
                        + " (interfaces: " + String.join(", ", interfaces) + "). Until it appears, its sockets fail"
                        + " with ENODEV and proceed unpinned. Fix: correct the name, or ignore this if the interface"
                        + " comes up later (a VPN).");
            }
        }
        for (String path : uncovered) {
            IfpinLog.error("socket path not covered on Java " + Runtime.version() + ": " + path
                    + "; sockets opened this way are NOT pinned. Please report this with your Java version.");
        }
        legacyImplementationWarnings();
    }

    /**
     * Per rule, whether a socket can be pinned to its interface now: {@code [corp -> b0: OK, vpn -> tun0: ENODEV]}.
     * A failure is explained by the WARN/ERROR lines that follow (missing interface) or at the first socket.
     */
    static String selfTestLine(IfpinConfig config, Map<String, String> selfTest) {
        List<String> parts = new ArrayList<>();
        for (Rule rule : config.rules().rules()) {
            parts.add(rule.name() + " -> " + rule.interfaceName() + ": "
                    + selfTest.getOrDefault(rule.interfaceName(), "not run"));
        }
        return parts.toString();
    }

    /**
     * JDK 17 can still be switched back to its pre-JEP 353/373 socket code, which ifpin does not instrument. JDK 18
     * removed that code (JDK-8253119) and ignores the properties, so there is nothing to warn about there.
     */
    private static void legacyImplementationWarnings() {
        if (Runtime.version().feature() >= 18) {
            return;
        }
        for (String property : List.of("jdk.net.usePlainSocketImpl", "jdk.net.usePlainDatagramSocketImpl")) {
            String value = System.getProperty(property);
            if (value != null && !"false".equalsIgnoreCase(value)) {
                IfpinLog.error("-D" + property + " selects the JDK's legacy socket implementation, which ifpin does"
                        + " not cover: those sockets are NOT pinned. Fix: remove -D" + property + ".");
            }
        }
    }
}
