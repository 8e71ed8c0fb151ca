package io.ifpin.instrument;

import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.Instrumentation;
import java.lang.reflect.Proxy;

/** An {@link Instrumentation} that keeps the transformer it is given, so a test can call it with class bytes. */
final class FakeInstrumentation {

    ClassFileTransformer transformer;

    final Instrumentation instrumentation = (Instrumentation) Proxy.newProxyInstance(
            FakeInstrumentation.class.getClassLoader(), new Class<?>[] {Instrumentation.class},
            (proxy, method, args) -> switch (method.getName()) {
                case "addTransformer" -> {
                    transformer = (ClassFileTransformer) args[0];
                    yield null;
                }
                case "getAllLoadedClasses" -> new Class<?>[0];
                default -> throw new UnsupportedOperationException(method.getName());
            });
}
