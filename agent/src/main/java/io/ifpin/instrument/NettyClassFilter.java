package io.ifpin.instrument;

import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.Instrumentation;
import java.security.ProtectionDomain;

/**
 * The transformer premain registers for Netty's native transports: one name check for each class the JVM loads, and
 * {@link NativeTransportInstrumentation} (its shapes, its patches, ASM) only for a name that may be Netty's. Premain
 * loads this class alone, and an application without Netty never loads the rest (docs/dev/architecture.md, "Startup
 * order").
 */
public final class NettyClassFilter implements ClassFileTransformer {

    /** In every class name {@link NativeTransportInstrumentation} patches, whatever the package prefix. */
    static final String CHANNEL = "/channel/";

    private NettyClassFilter() {
    }

    /** Registers the filter. Netty classes already loaded (an agent attached late) are not retransformed. */
    public static void install(Instrumentation instrumentation) {
        instrumentation.addTransformer(new NettyClassFilter(), false);
    }

    @Override
    public byte[] transform(Module module, ClassLoader loader, String className, Class<?> redefined,
                            ProtectionDomain domain, byte[] classFile) {
        if (className == null || loader == null || redefined != null || !className.contains(CHANNEL)) {
            return null;
        }
        return NativeTransportInstrumentation.transform(module, loader, className, domain, classFile);
    }
}
