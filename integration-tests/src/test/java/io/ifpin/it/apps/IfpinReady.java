package io.ifpin.it.apps;

import java.lang.reflect.Field;

/**
 * For test applications that must see ifpin's own output: waits, bounded, until ifpin is ready (its real hook is
 * installed, after its startup lines are logged). Since early pins (issue 13) a short application's pinned connect
 * no longer waits for ifpin, so it may exit before ifpin has printed anything; call {@link #await} at the end of
 * {@code main}, so that the application's own sockets are not delayed.
 *
 * <p>Reads the bootstrap class {@code io.ifpin.bridge.PinBridge}'s field {@code hook} by reflection (the bootstrap
 * loader's unnamed module: no flag needed): ready once it is no longer a {@code PendingHook} (inside an
 * {@code OwnDnsSockets} when the config has {@code dns}). Returns at once without the agent.
 */
public final class IfpinReady {

    private static final long LIMIT_MILLIS = 20_000;
    private static final long STEP_MILLIS = 20;

    private IfpinReady() {
    }

    /** Returns when ifpin is ready, there is no agent, or after 20 s (then says so on stderr). */
    public static void await() {
        Field hook;
        try {
            Class<?> bridge = Class.forName("io.ifpin.bridge.PinBridge", false, null);
            hook = bridge.getDeclaredField("hook");
            hook.setAccessible(true);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return; // no agent
        }
        long deadline = System.nanoTime() + LIMIT_MILLIS * 1_000_000;
        while (pending(hook)) {
            if (System.nanoTime() - deadline > 0) {
                System.err.println("IfpinReady: ifpin was not ready after " + LIMIT_MILLIS + " ms");
                return;
            }
            try {
                Thread.sleep(STEP_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private static boolean pending(Field hook) {
        try {
            Object value = hook.get(null);
            if (value != null && value.getClass().getName().equals("io.ifpin.dns.OwnDnsSockets")) {
                Field next = value.getClass().getDeclaredField("next");
                next.setAccessible(true);
                value = next.get(value);
            }
            return value != null && value.getClass().getName().equals("io.ifpin.pin.PendingHook");
        } catch (ReflectiveOperationException | RuntimeException e) {
            return false;
        }
    }
}
