package io.ifpin.core;

import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.Instrumentation;
import java.lang.reflect.Method;
import java.security.ProtectionDomain;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Waits, on {@code ifpin-init}, for the moment ifpin may register its MBean. Creating the platform MBean server
 * initialises {@code java.util.logging.LogManager}, which chooses the JVM's one log manager
 * ({@code -Djava.util.logging.manager}) at that moment, once, and reads {@code javax.management.builder.initial}
 * once; an application server that sets these in its own {@code main}, to classes of its own loader (JBoss/WildFly),
 * must get there first. The moment is (docs/dev/architecture.md, "Startup order"):
 * <ul>
 * <li>without signs of an application server: as soon as the application (or anyone else) has initialised
 *     {@code LogManager}, or else {@value #QUIET_MILLIS} ms after startup. Servers set these properties in the first
 *     seconds of their {@code main}; Datadog's agent waits 15 s before its first JMX use for the same reason;</li>
 * <li>with signs ({@code JBOSS_HOME}, or {@code java.util.logging.manager} or {@code javax.management.builder.initial}
 *     naming a class the system class loader does not have): once the application has initialised
 *     {@code LogManager} and created an MBean server itself ({@code MBeanServerBuilder} loaded), as OpenTelemetry's
 *     and Datadog's agents wait for those classes; or else {@value #SERVER_MILLIS} ms after startup, so the wait is
 *     bounded.</li>
 * </ul>
 * "Initialised" is seen without initialising anything: a transformer watches the two classes load (and changes
 * nothing), then the JVM is asked whether {@code LogManager}'s initialisation is complete.
 */
final class MBeanMoment implements ClassFileTransformer {

    static final long QUIET_MILLIS = 15_000;
    static final long SERVER_MILLIS = 300_000;
    private static final String LOG_MANAGER = "java.util.logging.LogManager";
    private static final String BUILDER = "javax.management.MBeanServerBuilder";
    private static final long POLL_MILLIS = 50;

    private final Thread waiter = Thread.currentThread();
    private volatile boolean logManagerLoaded;
    private volatile boolean builderLoaded;

    private MBeanMoment() {
    }

    @Override
    public byte[] transform(Module module, ClassLoader loader, String className, Class<?> redefining,
                            ProtectionDomain domain, byte[] bytes) {
        if (loader == null && className != null) {
            if (className.equals("java/util/logging/LogManager")) {
                logManagerLoaded = true;
                LockSupport.unpark(waiter);
            } else if (className.equals("javax/management/MBeanServerBuilder")) {
                builderLoaded = true;
                LockSupport.unpark(waiter);
            }
        }
        return null;
    }

    /** What ends the wait, for the debug line. */
    enum Reason {
        APPLICATION("the application initialised java.util.logging"),
        APPLICATION_SERVER("the application server initialised java.util.logging and created an MBean server"),
        QUIET(QUIET_MILLIS / 1000 + " s after startup, and no application server is configuring"
                + " java.util.logging or JMX"),
        LIMIT(SERVER_MILLIS / 1000 + " s after startup (an application server was expected to set up"
                + " java.util.logging and JMX first)");

        final String text;

        Reason(String text) {
            this.text = text;
        }
    }

    /** Blocks until the moment has come, never touching {@code java.util.logging} or JMX; null if interrupted. */
    static Reason await(Instrumentation instrumentation, long startNanos) {
        MBeanMoment watch = new MBeanMoment();
        instrumentation.addTransformer(watch, false);
        try {
            Class<?> logManager = null;
            for (Class<?> type : instrumentation.getAllLoadedClasses()) { // loaded before the watch began
                if (type.getClassLoader() == null && LOG_MANAGER.equals(type.getName())) {
                    logManager = type;
                    watch.logManagerLoaded = true;
                } else if (type.getClassLoader() == null && BUILDER.equals(type.getName())) {
                    watch.builderLoaded = true;
                }
            }
            while (true) {
                if (watch.logManagerLoaded && logManager == null) {
                    logManager = find(instrumentation);
                }
                boolean julInitialised = logManager != null && isInitialised(logManager);
                Reason reason = decide(julInitialised, watch.builderLoaded, serverExpected(),
                        (System.nanoTime() - startNanos) / 1_000_000);
                if (reason != null) {
                    return reason;
                }
                // Woken by the transformer; while LogManager is loaded but not yet initialised, polled briefly.
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(watch.logManagerLoaded ? POLL_MILLIS : 1000));
                if (Thread.interrupted()) {
                    return null;
                }
            }
        } finally {
            instrumentation.removeTransformer(watch);
        }
    }

    /** The rule above: the reason the wait ends now, or null to go on waiting. */
    static Reason decide(boolean julInitialised, boolean builderLoaded, boolean serverExpected, long elapsedMillis) {
        if (serverExpected) {
            if (julInitialised && builderLoaded) {
                return Reason.APPLICATION_SERVER;
            }
            return elapsedMillis >= SERVER_MILLIS ? Reason.LIMIT : null;
        }
        if (julInitialised) {
            return Reason.APPLICATION;
        }
        return elapsedMillis >= QUIET_MILLIS ? Reason.QUIET : null;
    }

    /** Signs that an application server will install its own log manager or MBean server builder. */
    static boolean serverExpected() {
        return System.getenv("JBOSS_HOME") != null
                || notOnSystemClassPath(System.getProperty("java.util.logging.manager"))
                || notOnSystemClassPath(System.getProperty("javax.management.builder.initial"));
    }

    private static boolean notOnSystemClassPath(String className) {
        if (className == null || className.isBlank()) {
            return false;
        }
        // A resource lookup: it neither loads nor initialises the class.
        return ClassLoader.getSystemResource(className.trim().replace('.', '/') + ".class") == null;
    }

    private static Class<?> find(Instrumentation instrumentation) {
        for (Class<?> type : instrumentation.getAllLoadedClasses()) {
            if (type.getClassLoader() == null && LOG_MANAGER.equals(type.getName())) {
                return type;
            }
        }
        return null;
    }

    /**
     * Whether the class's initialisation is complete, asked without initialising it ({@code jdk.internal.misc},
     * exported to ifpin in premain). Without that access: loaded counts as initialised, as Datadog's agent counts
     * it, since the class loads only to be initialised right after on the same thread.
     */
    private static boolean isInitialised(Class<?> type) {
        try {
            Class<?> unsafeClass = Class.forName("jdk.internal.misc.Unsafe");
            Object unsafe = unsafeClass.getMethod("getUnsafe").invoke(null);
            Method shouldBeInitialized = unsafeClass.getMethod("shouldBeInitialized", Class.class);
            return !(Boolean) shouldBeInitialized.invoke(unsafe, type);
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            return true;
        }
    }
}
