package io.ifpin.core;

import io.ifpin.audit.AuditLog;
import io.ifpin.bridge.PinBridge;
import io.ifpin.config.ConfigLoader;
import io.ifpin.config.ConfigReloader;
import io.ifpin.config.ConfigVersion;
import io.ifpin.config.IfpinConfig;
import io.ifpin.log.LogLevel;
import io.ifpin.diag.AsyncRouteChecker;
import io.ifpin.link.LinkMonitor;
import io.ifpin.os.NetlinkRoutes;
import io.ifpin.diag.PinSelfTest;
import io.ifpin.diag.RpFilter;
import io.ifpin.dns.NameLookupHook;
import io.ifpin.dns.NameResolution;
import io.ifpin.dns.OwnDnsSockets;
import io.ifpin.instrument.NameServiceInstrumentation;
import io.ifpin.instrument.NativeTransportInstrumentation;
import io.ifpin.instrument.NettyClassFilter;
import io.ifpin.instrument.SocketInstrumentation;
import io.ifpin.log.IfpinLog;
import io.ifpin.metrics.Metrics;
import io.ifpin.metrics.RulesMBean;
import io.ifpin.os.Routes;
import io.ifpin.os.SocketOptions;
import io.ifpin.os.UnavailableSockets;
import io.ifpin.pin.ErrorReporter;
import io.ifpin.pin.KernelVersion;
import io.ifpin.pin.PendingHook;
import io.ifpin.pin.Pinner;
import io.ifpin.pin.StackCallers;
import io.ifpin.rules.Rule;
import io.ifpin.rules.RuleSet;

import java.lang.instrument.Instrumentation;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Runs in the agent's isolated class loader, called once per {@code -javaagent} from {@code IfpinAgent.premain}:
 * load the config (an invalid one stops the JVM before the application starts), and then either nothing (a second
 * ifpin, or a config that cannot act: {@link NothingToPin}) or the pinning hook and the instrumentation. Everything
 * else runs on the {@code ifpin-init} thread, and the JVM's exit never waits for it (docs/dev/architecture.md, "Startup
 * order").
 */
public final class AgentInstaller {

    private AgentInstaller() {
    }

    /** For a JVM where the bridge may be there already, from an earlier ifpin; {@link AgentMain} otherwise. */
    public static void install(String agentArgument, Instrumentation instrumentation) {
        install(agentArgument, instrumentation, System.nanoTime());
    }

    static void install(String agentArgument, Instrumentation instrumentation, long startNanos) {
        Installation installation = new Installation(Installation.BRIDGE);
        Installation.Owner owner = installation.pinningOwner();
        if (owner != null) {
            reportSecondAgent(owner, ConfigLocation.find(agentArgument));
            return;
        }
        installOrStop(ConfigStage.loadOrExit(agentArgument), installation, instrumentation, startNanos);
    }

    /** With the config loaded and the bridge just defined by {@link AgentMain}. */
    static void install(ConfigLoader.Loaded loaded, Instrumentation instrumentation, long startNanos) {
        installOrStop(loaded, new Installation(Installation.BRIDGE), instrumentation, startNanos);
    }

    private static void installOrStop(ConfigLoader.Loaded loaded, Installation installation,
                                      Instrumentation instrumentation, long startNanos) {
        try {
            install(loaded, installation, instrumentation, startNanos);
        } catch (Throwable t) {
            ConfigStage.stopIfMayRefuse(loaded.config(), t);
            throw t;
        }
    }

    private static void install(ConfigLoader.Loaded loaded, Installation installation,
                                Instrumentation instrumentation, long startNanos) {
        IfpinConfig config = loaded.config();
        // The text that was parsed, for the reloader's first comparison: read once, never again from the path.
        byte[] text = loaded.text().getBytes(StandardCharsets.UTF_8);
        NativeCalls.Choice nativeCalls = ConfigStage.nativeCallsOrExit();
        IfpinLog.debug("config loaded in " + ConfigStage.millisSince(startNanos) + " ms");
        boolean idle = NothingToPin.applies(config);
        Installation.Owner owner = installation.claim(!idle, config.source());
        if (owner != null) {
            reportSecondAgent(owner, config.source());
            return;
        }
        if (idle) {
            ConfigStage.logNothingToPin(config, ConfigStage.millisSince(startNanos));
            return;
        }
        ErrorReporter reporter = new ErrorReporter();
        legacyImplementationWarnings(); // here, not with the startup lines: a short-lived application gets it too
        openJavaBase(instrumentation); // first: the native-access grant needs java.lang open
        PendingHook pending = new PendingHook(config);
        boolean ownDns = config.rules().anyHasDns();
        PinBridge.install(ownDns ? new OwnDnsSockets(pending, null) : pending);
        // Asked of the rules first: most configs decide no names, and then no dns class is loaded in premain.
        NameResolution names = config.rules().anyDecidesNames() ? NameResolution.forRules(config.rules()) : null;
        if (names != null && config.observing()) {
            names.apply(nameRules(config)); // installed all the same: a reload to enforce brings the rules back
        }
        if (names != null) {
            installNameHook(names, instrumentation);
        }
        // Registered here, so every socket class the application loads from now on is patched; loading the ones
        // not loaded yet (ASM's cold start) to report coverage is left to the init thread.
        SocketInstrumentation.Coverage coverage = SocketInstrumentation.register(instrumentation);
        // Netty's classes are loaded by the application later; its transformer only needs to be there first.
        NettyClassFilter.install(instrumentation);
        // Anonymous classes, not lambdas: the first lambda of a JVM costs milliseconds of premain to bootstrap.
        // The exit waits for nothing of ifpin's: this hook only prints (the held-socket line, the error summary).
        Runtime.getRuntime().addShutdownHook(new Thread(new Runnable() {
            @Override
            public void run() {
                pending.reportHeldAtExit(ConfigStage.millisSince(startNanos));
                reporter.logSummary();
            }
        }, "ifpin-exit-summary"));
        // Native access loads on its own thread, started last, so that it competes with none of premain (on two
        // cores an earlier start delayed main) and overlaps the application's start and ifpin-init's first steps;
        // until the real hook is ready, PendingHook holds back the sockets that the policy could touch.
        NativeStart nativeStart = NativeStart.begin(nativeCalls);
        Thread init = new Thread(new Runnable() {
            @Override
            public void run() {
                finishInstall(config, text, nativeStart, reporter, pending, coverage, instrumentation, startNanos,
                        names);
            }
        }, "ifpin-init");
        init.setDaemon(true);
        init.setContextClassLoader(null); // nothing of the application's
        init.start();
        IfpinLog.debug("premain returns after " + ConfigStage.millisSince(startNanos) + " ms");
    }

    /** A second {@code -javaagent} of ifpin: one line, and nothing else. */
    private static void reportSecondAgent(Installation.Owner owner, String location) {
        if (owner.sameConfig(location)) {
            IfpinLog.info("ifpin is already loaded in this JVM (config " + owner.config() + "); this second"
                    + " -javaagent of it does nothing. Fix: give -javaagent once (JAVA_TOOL_OPTIONS and the command"
                    + " line both have it), or ignore this.");
        } else {
            IfpinLog.warn("ifpin is already " + (owner.pins() ? "installed" : "loaded") + " in this JVM with config "
                    + owner.config() + "; this second -javaagent of it (config " + location + ") is ignored. Fix:"
                    + " give -javaagent once (JAVA_TOOL_OPTIONS and the command line both have it).");
        }
    }

    /**
     * On the ifpin-init thread: native access, the route checker, the audit log, the startup lines, then the real
     * hook; after it the reload thread, and last, once the application has had its chance to set up
     * {@code java.util.logging} ({@link MBeanMoment}), the MBean. No socket waits for those two.
     */
    private static void finishInstall(IfpinConfig config, byte[] text, NativeStart nativeStart,
                                      ErrorReporter reporter,
                                      PendingHook pending, SocketInstrumentation.Coverage coverage,
                                      Instrumentation instrumentation, long startNanos, NameResolution names) {
        Pinner pinner = null;
        SocketOptions sockets = null;
        AuditLog audit = null;
        Metrics metrics = new Metrics();
        Path file = Path.of(config.source());
        try {
            // First, plain TCP pins through the JDK's own setsockopt, so that they need not wait for native access.
            pending.pinEarly(config);
            IfpinLog.debug("startup: early pins ready at " + ConfigStage.millisSince(startNanos) + " ms");
            // Then, on Java 22+: half of the native set-up, beside ifpin-native's other half (NativeStart.help).
            nativeStart.help();
            // Then loading the socket classes patches them (ASM's cold start, tens of milliseconds); done here, it
            // is likely done before the application's first connect, which would otherwise do it.
            List<String> uncovered = coverage.check();
            IfpinLog.debug("startup: coverage checked at " + ConfigStage.millisSince(startNanos) + " ms");
            try {
                sockets = nativeStart.await();
            } catch (Throwable t) {
                String message = "cannot call SO_BINDTODEVICE (" + t + "); sockets opened from now on are NOT pinned"
                        + " (deny rules still refuse, fail-closed rules refuse what they match). Fix: run on Linux,"
                        + " and if JNA cannot unpack its library, point -Djna.tmpdir at a directory that allows exec.";
                errorUnlessExiting(message);
                sockets = new UnavailableSockets();
            }
            IfpinLog.debug("native access ready at " + ConfigStage.millisSince(startNanos) + " ms");
            Routes routes = sockets instanceof UnavailableSockets ? null : loadRoutes(sockets);
            IfpinLog.debug("startup: routes loaded at " + ConfigStage.millisSince(startNanos) + " ms");
            AsyncRouteChecker routeChecker = routes == null || !mayPin(config) ? AsyncRouteChecker.DISABLED
                    : startRouteChecker(routes);
            if (names != null) {
                metrics.lookupsFrom(names.stats()::describe);
            }
            audit = config.audit().enabled() ? AuditLog.start(config.audit()) : null;
            if (audit != null) {
                metrics.auditDroppedFrom(audit::dropped);
                metrics.auditFailingFrom(audit::failingSince);
            }
            LinkMonitor links = LinkMonitor.NONE;
            if (routes instanceof NetlinkRoutes netlink && (followsLinks(config) || config.reloadInterval().isPresent())) {
                links = LinkMonitor.over(netlink); // its thread starts with the first rule that follows links
                metrics.interfacesFrom(links);
            }
            pinner = new Pinner(config, sockets, reporter, KernelVersion.running(), routeChecker, metrics, audit,
                    new StackCallers(), links);
            pinner.warmUp();
            prepareSourceBinding(sockets, config);
            IfpinLog.debug("startup: pinner warmed at " + ConfigStage.millisSince(startNanos) + " ms");
            List<String> nettyCopies = NativeTransportInstrumentation.scanSystemClassPath();
            IfpinLog.debug("startup: netty scanned at " + ConfigStage.millisSince(startNanos) + " ms");
            Map<String, String> selfTest = sockets instanceof UnavailableSockets ? Map.of()
                    : PinSelfTest.run(sockets, config.rules().interfaceNames());
            IfpinLog.debug("startup: self-test done at " + ConfigStage.millisSince(startNanos) + " ms");
            // Logged before any socket is released, so startup lines come before every connect-time report.
            StartupReport.log(config, sockets, uncovered, nettyCopies, selfTest, ConfigStage.millisSince(startNanos),
                    routes, audit);
        } catch (Throwable t) {
            errorUnlessExiting("the agent failed to start; sockets are NOT pinned (deny rules still refuse,"
                    + " fail-closed rules refuse what they match): " + t);
            pinner = policyWithoutPinning(config, reporter, metrics);
        } finally {
            PinBridge.install(config.rules().anyHasDns() ? new OwnDnsSockets(pinner, sockets) : pinner);
            pending.complete(pinner);
            if (names != null) {
                if (sockets == null || sockets instanceof UnavailableSockets) {
                    names.unavailable(sockets == null ? "the agent failed to start" : "no native access");
                } else {
                    names.ready(audit);
                }
            }
        }
        // After the release: the config's hash (SHA-256: the JDK's security providers, milliseconds of a cold JVM)
        // is only for the MBean, never for a socket.
        if (pinner != null) {
            try {
                metrics.configLoaded(new Metrics.ConfigInfo(config.source(), ConfigVersion.of(text), Instant.now(),
                        ConfigVersion.ruleNames(config), config.mode().label()), false);
            } catch (RuntimeException e) {
                IfpinLog.debug("the config's version is not shown over JMX: " + e);
            }
        }
        if (pinner != null && config.reloadInterval().isPresent()) {
            new ConfigReloader(file, config, text, reloadTarget(pinner, names, sockets, audit, metrics,
                    instrumentation, config), metrics).start();
        }
        if (pinner != null && config.jmx()) {
            MBeanMoment.Reason reason = MBeanMoment.await(instrumentation, startNanos);
            if (reason != null) {
                registerMBean(metrics, reason);
            }
        }
    }

    /** Before the patch: from the first patched lookup on, the rules decide their names. */
    private static void installNameHook(NameResolution names, Instrumentation instrumentation) {
        PinBridge.installNameHook(new NameLookupHook(names));
        if (!NameServiceInstrumentation.install(instrumentation)) {
            IfpinLog.error("name lookups are NOT intercepted on this JDK: the names of rules with dns go to the"
                    + " system resolver, and deny rules do not refuse lookups. Please report this with your Java"
                    + " version.");
        }
    }

    /**
     * What a reload changes: the pinner's rules, and which rules decide name lookups. A reload that brings the first
     * {@code dns} (or deny-by-host) rule installs what startup left out for a config without them: ifpin's own DNS
     * sockets first, then the name-lookup hook and the patch of {@code InetAddress}. So a config without such rules
     * costs nothing for them until a reload adds one.
     */
    private static Consumer<IfpinConfig> reloadTarget(Pinner pinner, NameResolution startNames, SocketOptions sockets,
                                                      AuditLog audit, Metrics metrics, Instrumentation instrumentation,
                                                      IfpinConfig initial) {
        return new Consumer<IfpinConfig>() {
            private NameResolution names = startNames;
            private boolean ownDnsSockets = initial.rules().anyHasDns();

            @Override
            public void accept(IfpinConfig config) {
                prepareSourceBinding(sockets, config);
                pinner.apply(config);
                if (!ownDnsSockets && config.rules().anyHasDns()) {
                    PinBridge.install(new OwnDnsSockets(pinner, sockets));
                    ownDnsSockets = true;
                }
                if (names != null) {
                    names.apply(nameRules(config));
                    return;
                }
                NameResolution added = NameResolution.forRules(nameRules(config));
                if (added == null) {
                    return;
                }
                if (sockets == null || sockets instanceof UnavailableSockets) {
                    added.unavailable("no native access");
                } else {
                    added.ready(audit);
                }
                metrics.lookupsFrom(added.stats()::describe);
                installNameHook(added, instrumentation);
                names = added;
                IfpinLog.info("the reloaded config has name-lookup rules (dns, or deny with hosts): ifpin decides"
                        + " their lookups from now on (an answer the JDK cached before keeps until"
                        + " networkaddress.cache.ttl ends)");
            }
        };
    }

    /**
     * The rules that decide name lookups: none in observe mode, where a lookup goes to the system resolver as without
     * ifpin (a deny rule's names are not refused, a dns rule's servers are not asked) and the connect that follows
     * is decided and audited as usual.
     */
    static RuleSet nameRules(IfpinConfig config) {
        return config.observing() ? NO_RULES : config.rules();
    }

    private static final RuleSet NO_RULES = RuleSet.of(List.of());

    /**
     * After a failure on ifpin-init: the rules without native access, so that the sockets held until now, and all
     * later ones, are still refused where the policy says so (ifpin's own failure never widens the policy); null
     * only if even that cannot be built.
     */
    static Pinner policyWithoutPinning(IfpinConfig config, ErrorReporter reporter, Metrics metrics) {
        try {
            return new Pinner(config, new UnavailableSockets(), reporter, KernelVersion.running(),
                    AsyncRouteChecker.DISABLED, metrics, null, new StackCallers());
        } catch (Throwable again) {
            return null;
        }
    }

    /**
     * When a rule binds a source address (issue 16): the calls it needs are readied before its first socket
     * ({@link SocketOptions#prepareSourceBinding}). If that fails, the first such socket fails as it would have.
     */
    private static void prepareSourceBinding(SocketOptions sockets, IfpinConfig config) {
        if (sockets == null) {
            return;
        }
        for (Rule rule : config.rules().rules()) {
            if (rule.source() != null) {
                try {
                    sockets.prepareSourceBinding();
                } catch (Throwable t) {
                    IfpinLog.debug("cannot ready the calls of a rule's source: " + t);
                }
                return;
            }
        }
    }

    /** Whether a rule lists several interfaces or waits for one (issue 15): then links are followed. */
    private static boolean followsLinks(IfpinConfig config) {
        for (Rule rule : config.rules().rules()) {
            if (rule.followsLinks()) {
                return true;
            }
        }
        return false;
    }

    /** Whether any socket can be pinned now or after a reload: otherwise the route checker is not started. */
    private static boolean mayPin(IfpinConfig config) {
        return !config.pinRules().isEmpty() || config.reloadInterval().isPresent();
    }

    /**
     * An ERROR, or a DEBUG line when the JVM is already exiting: the exit does not wait for ifpin-init, and what fails
     * when a short-lived application ends under it (a class initialiser that registers a shutdown hook, say) is no
     * fault of the setup and must not end its run with an alarming line.
     */
    private static void errorUnlessExiting(String message) {
        if (jvmExiting()) {
            IfpinLog.debug("the JVM is exiting before ifpin was ready: " + message);
        } else {
            IfpinLog.error(message);
        }
    }

    /** Whether the JVM's shutdown has begun (no hook can be added then). */
    static boolean jvmExiting() {
        Thread probe = new Thread("ifpin-shutdown-probe"); // never started
        try {
            Runtime.getRuntime().addShutdownHook(probe);
            Runtime.getRuntime().removeShutdownHook(probe);
            return false;
        } catch (IllegalStateException shutdownInProgress) {
            return true;
        }
    }

    /** None when the application is already exiting (a short-lived one can, before this thread gets here). */
    private static AsyncRouteChecker startRouteChecker(Routes routes) {
        try {
            return AsyncRouteChecker.start(routes, RpFilter.PROC);
        } catch (IllegalStateException shutdownInProgress) { // from addShutdownHook
            return AsyncRouteChecker.DISABLED;
        }
    }

    /** Once {@link MBeanMoment} says so: creating the platform MBean server initialises java.util.logging. */
    private static void registerMBean(Metrics metrics, MBeanMoment.Reason reason) {
        // As on the application's main thread: a javax.management.builder.initial (or log manager) class on the
        // class path is found through the context loader, which ifpin-init otherwise leaves empty.
        Thread.currentThread().setContextClassLoader(ClassLoader.getSystemClassLoader());
        try {
            RulesMBean.register(metrics);
            IfpinLog.debug("MBean " + RulesMBean.OBJECT_NAME + " registered: " + reason.text);
        } catch (Throwable t) {
            IfpinLog.warn("cannot register the MBean " + RulesMBean.OBJECT_NAME + " (" + t + "); counters are"
                    + " not visible over JMX. Pinning is not affected.");
        } finally {
            Thread.currentThread().setContextClassLoader(null);
        }
    }

    /** rtnetlink for the route checks; without it ifpin pins as before, unchecked. */
    private static Routes loadRoutes(SocketOptions sockets) {
        try {
            return NativeCalls.routes(sockets);
        } catch (Throwable t) {
            IfpinLog.debug("route checks disabled: " + t);
            return null;
        }
    }

    /**
     * Lets {@code java.base}, where the patched calls run, read the bridge's module (named modules do not read unnamed ones
     * by default), and opens {@code java.io} to ifpin for {@code FileDescriptor.fd} and {@code java.net} for the
     * requested host name and IPv6 bytes without copies ({@code InetAddressFields}), and {@code java.lang} for
     * ifpin's own native-access grant on Java 22+ (docs/dev/architecture.md, "Native calls"); no command-line flags needed.
     */
    private static void openJavaBase(Instrumentation instrumentation) {
        Module javaBase = Object.class.getModule();
        // jdk.internal.misc: MBeanMoment asks whether LogManager is initialised without initialising it.
        instrumentation.redefineModule(javaBase, Set.of(PinBridge.class.getModule()),
                // sun.net: the JDK's address-cache policy, for short DNS TTLs (dns.JdkAddressCache)
                Map.of("jdk.internal.misc", Set.of(AgentInstaller.class.getModule()),
                        "sun.net", Set.of(AgentInstaller.class.getModule())),
                Map.of("java.io", Set.of(AgentInstaller.class.getModule()),
                        "java.net", Set.of(AgentInstaller.class.getModule()),
                        // sun.nio.ch: the JDK's own setsockopt, for pins before native access (pin.EarlyPins)
                        "sun.nio.ch", Set.of(AgentInstaller.class.getModule()),
                        // for the native-access grant on Java 22+ (NativeAccessModule.grant)
                        "java.lang", Set.of(AgentInstaller.class.getModule())), Set.of(), Map.of());
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
