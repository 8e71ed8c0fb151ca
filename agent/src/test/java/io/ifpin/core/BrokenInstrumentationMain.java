package io.ifpin.core;

import java.lang.instrument.Instrumentation;
import java.lang.reflect.Proxy;

/**
 * Runs premain's installer in a JVM of its own with an {@link Instrumentation} that runs out of memory, as a JVM whose
 * config just fitted its heap does right after loading it: {@code AgentStartFailureTest} reads its exit status.
 */
public final class BrokenInstrumentationMain {
    private BrokenInstrumentationMain() {
    }

    public static void main(String[] args) {
        Instrumentation broken = (Instrumentation) Proxy.newProxyInstance(Instrumentation.class.getClassLoader(),
                new Class<?>[] {Instrumentation.class}, (proxy, method, arguments) -> {
                    throw new OutOfMemoryError("Java heap space (test)");
                });
        AgentInstaller.install(args[0], broken);
        System.out.println("APPLICATION RUNS");
    }
}
