package io.ifpin.core;

import io.ifpin.config.ConfigLoader;
import io.ifpin.config.IfpinConfig;
import io.ifpin.config.InvalidConfigException;
import io.ifpin.log.LogLevel;
import io.ifpin.config.Mode;
import io.ifpin.config.ModeOverride;
import io.ifpin.log.IfpinLog;

import java.nio.file.Path;

/**
 * The part of premain that needs no bridge: read the config (or stop the JVM), and say so when it cannot act. It runs
 * before the bridge is defined in the bootstrap loader, so a config with nothing to pin costs no module change and no
 * bootstrap class (docs/dev/architecture.md, "Startup order"); nothing here may link a {@code io.ifpin.bridge} type.
 */
final class ConfigStage {

    /** Exit status when the config is missing or invalid: the application is not started. */
    static final int EXIT_INVALID_CONFIG = 2;

    private ConfigStage() {
    }

    static ConfigLoader.Loaded loadOrExit(String agentArgument) {
        String location = ConfigLocation.find(agentArgument);
        if (location == null) {
            stop("no config file given. Fix: -javaagent:/path/ifpin-agent.jar=/etc/ifpin/ifpin.conf, or -D"
                    + ConfigLocation.PROPERTY + "=/etc/ifpin/ifpin.conf, or the " + ConfigLocation.ENVIRONMENT
                    + " environment variable.");
        }
        try {
            ConfigLoader.Loaded loaded = ConfigLoader.loadWithWarnings(Path.of(location));
            IfpinConfig config = loaded.config();
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
            String modeOverride = System.getProperty(Mode.PROPERTY);
            if (modeOverride != null) {
                try {
                    loaded = ModeOverride.apply(loaded, modeOverride);
                } catch (IllegalArgumentException e) {
                    stop("-D" + Mode.PROPERTY + "=" + modeOverride + ": " + e.getMessage() + ". Fix: write -D"
                            + Mode.PROPERTY + "=observe or -D" + Mode.PROPERTY + "=enforce, or remove it (the file's"
                            + " ifpin.mode applies).");
                }
            }
            for (String warning : loaded.warnings()) { // a loop, not a method reference: no lambda in premain
                IfpinLog.warn(warning);
            }
            return loaded;
        } catch (InvalidConfigException e) {
            stop(e.getMessage());
            return null;
        } catch (Throwable t) {
            // Whatever the file held (fail-closed rules, default-action = deny) is unknown now: running the
            // application unpinned could widen the policy, so this stops as an invalid config does.
            stop("cannot load the ifpin config " + location + ": " + t + ". Fix: if it is an OutOfMemoryError, give"
                    + " the JVM more heap (-Xmx) or shorten the config; otherwise check the file with java -jar"
                    + " ifpin-agent.jar check " + location + ", and report this if the file is right.");
            return null;
        }
    }

    /** {@code -Difpin.native}, checked with the config: a typo stops the JVM as a wrong config does. */
    static NativeCalls.Choice nativeCallsOrExit() {
        String value = System.getProperty(NativeCalls.PROPERTY);
        try {
            return NativeCalls.Choice.parse(value);
        } catch (IllegalArgumentException e) {
            stop("-D" + NativeCalls.PROPERTY + "=" + value + ": " + e.getMessage() + ". Fix: remove it (the default,"
                    + " auto, uses the fastest way this JDK has), or write -D" + NativeCalls.PROPERTY + "=jna.");
            return null;
        }
    }

    /** The deliberate stop: a wrong config must not run the application with its sockets silently unpinned. */
    static void stop(String message) {
        IfpinLog.error(message);
        IfpinLog.error("the application is not started (exit status " + EXIT_INVALID_CONFIG + ").");
        System.exit(EXIT_INVALID_CONFIG);
    }

    /** The one line of a config that cannot act ({@link NothingToPin}): cheap, no native access. */
    static void logNothingToPin(IfpinConfig config, long startupMillis) {
        int rules = config.rules().rules().size();
        // java.runtime.version is what Runtime.version() prints, without its parse and streams.
        IfpinLog.info("ifpin " + Version.current() + " on Java " + System.getProperty("java.runtime.version") + ": "
                + rules + " rule(s) from "
                + config.source() + (rules == 0 ? "" : ", all allow") + "; unmatched sockets: allow; nothing to pin,"
                + " so nothing is installed (no instrumentation, native access, threads or MBean); ready in "
                + startupMillis + " ms");
    }

    /**
     * A failure after the config was read: {@code IfpinAgent} would report it and run the application unpinned,
     * fail-open, which a policy that refuses sockets (deny, fail-closed) must not become.
     */
    static void stopIfMayRefuse(IfpinConfig config, Throwable failure) {
        if (config.mayRefuse()) {
            stop("the agent failed to start (" + failure + "), and " + config.source() + " has deny or fail-closed"
                    + " rules (or default-action = deny), which must not run unpinned. Fix: if it is an"
                    + " OutOfMemoryError, give the JVM more heap (-Xmx) or shorten the config; otherwise report"
                    + " this.");
        }
    }

    static long millisSince(long startNanos) {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }
}
