package io.ifpin.core;

import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.Instrumentation;
import java.lang.reflect.Method;
import java.security.ProtectionDomain;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Waits, on {@code ifpin-init}, for the moment ifpin may register its MBean. Creating the platform MBean server
 * initialises {@code java.util.logging.LogManager}, which chooses the JVM's one log manager
 * ({@code -Djava.util.logging.manager}) at that moment, once; an application server that sets that property in its
 * own {@code main}, with a class of its own loader (JBoss/WildFly), must get there first. The moment is, whichever
 * comes first (docs/architecture.md, "Startup order"):
 * <ol>
 * <li>the application (or anyone else) has initialised {@code LogManager}: seen by a transformer that only watches
 *     for the class to load (and changes nothing), then by asking the JVM whether its initialisation is complete,
 *     without initialising it;</li>
 * <li>{@value #QUIET_MILLIS} ms after startup, when nothing says an application server is coming: no
 *     {@code JBOSS_HOME}, and {@code java.util.logging.manager} and {@code javax.management.builder.initial} unset
 *     or naming a class the system class loader has. Servers set these in the first seconds of their {@code main};
 *     Datadog's agent waits 15 s before its first JMX use for the same reason;</li>
 * <li>{@value #SERVER_MILLIS} ms after startup in any case, so that the wait is bounded.</li>
 * </ol>
 */
final class MBeanMoment implements ClassFileTransformer {

    static final long QUIET_MILLIS = 15_000;
    static final long SERVER_MILLIS = 300_000;
    private static final String LOG_MANAGER = "java.util.logging.LogManager";
    private static final String LOG_MANAGER_PATH = "java/util/logging/LogManager";
    private static final long POLL_MILLIS = 50;

    private final CountDownLatch logManagerLoaded = new CountDownLatch(1);

    private MBeanMoment() {
    }

    @Override
    public byte[] transform(Module module, ClassLoader loader, String className, Class<?> redefining,
                            ProtectionDomain domain, byte[] bytes) {
        if (loader == null && LOG_MANAGER_PATH.equals(className)) {
            logManagerLoaded.countDown();
        }
        return null;
    }

    /** What ends the wait, for the debug line; {@code null} only if interrupted. */
    enum Reason {
        APPLICATION_LOGGING("the application initialised java.util.logging"),
        QUIET(QUIET_MILLIS / 1000 + " s after startup, and no application server is configuring"
                + " java.util.logging or JMX"),
        LIMIT(SERVER_MILLIS / 1000 + " s after startup (an application server was expected to initialise"
                + " java.util.logging first)");

        final String text;

        Reason(String text) {
            this.text = text;
        }
    }

    /** Blocks until the moment has come; never touches {@code java.util.logging} or JMX itself. */
    static Reason await(Instrumentation instrumentation, long startNanos) {
        MBeanMoment watch = new MBeanMoment();
        instrumentation.addTransformer(watch, false);
        try {
            Class<?> logManager = loadedLogManager(instrumentation); // loaded before the watch began
            if (logManager != null) {
                watch.logManagerLoaded.countDown();
            }
            while (true) {
                long elapsed = millisSince(startNanos);
                if (watch.logManagerLoaded.getCount() == 0) {
                    if (logManager == null) {
                        logManager = loadedLogManager(instrumentation);
                    }
                    if (logManager != null && isInitialised(logManager)) {
                        return Reason.APPLICATION_LOGGING;
                    }
                }
                Reason timeUp = timeUp(elapsed, serverExpected());
                if (timeUp != null) {
                    return timeUp;
                }
                long wait = watch.logManagerLoaded.getCount() == 0 ? POLL_MILLIS : 1000;
                if (watch.logManagerLoaded.await(wait, TimeUnit.MILLISECONDS)) {
                    Thread.sleep(POLL_MILLIS); // loaded: its initialisation follows on the loading thread
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        } finally {
            instrumentation.removeTransformer(watch);
        }
    }

    /** The reason the wait ends after {@code elapsedMillis} without the application's logging, or null. */
    static Reason timeUp(long elapsedMillis, boolean serverExpected) {
        if (elapsedMillis >= SERVER_MILLIS) {
            return Reason.LIMIT;
        }
        return !serverExpected && elapsedMillis >= QUIET_MILLIS ? Reason.QUIET : null;
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

    /** {@code LogManager} if the JVM has loaded it, without loading it. */
    private static Class<?> loadedLogManager(Instrumentation instrumentation) {
        for (Class<?> type : instrumentation.getAllLoadedClasses()) {
            if (type.getClassLoader() == null && LOG_MANAGER.equals(type.getName())) {
                return type;
            }
        }
        return null;
    }

    /**
     * Whether the class's initialisation is complete, asked without initialising it ({@code jdk.internal.misc},
     * exported to ifpin in premain). Without that access: loaded counts as initialised, as Datadog's agent
     * counts it, since the class loads only to be initialised right after on the same thread.
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

    private static long millisSince(long startNanos) {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }
}
