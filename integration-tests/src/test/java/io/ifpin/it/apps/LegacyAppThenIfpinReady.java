package io.ifpin.it.apps;

/**
 * The demo's {@code io.ifpin.demo.LegacyApp} (which knows nothing of ifpin), then {@link IfpinReady#await} before
 * the JVM exits: its cases run exactly as in the demo, and ifpin's asynchronous output (startup lines, route
 * warnings) still appears when the cases end before ifpin is ready. Needs demo-app.jar on the class path.
 */
public final class LegacyAppThenIfpinReady {

    private LegacyAppThenIfpinReady() {
    }

    public static void main(String[] args) throws ReflectiveOperationException {
        int code = (int) Class.forName("io.ifpin.demo.LegacyApp").getMethod("run", String[].class)
                .invoke(null, (Object) args);
        IfpinReady.await();
        System.exit(code);
    }
}
