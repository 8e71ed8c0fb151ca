package io.ifpin.instrument;

import io.ifpin.log.IfpinLog;
import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.ClassVisitor;
import net.bytebuddy.jar.asm.ClassWriter;
import net.bytebuddy.jar.asm.Label;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;

import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.Instrumentation;
import java.net.InetAddress;
import java.security.ProtectionDomain;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Where the application's name lookups enter ifpin: {@code InetAddress.getAddressesFromNameService(String, ...)}, on
 * entry. Every {@code InetAddress.getByName/getAllByName} (so {@code new Socket(host, port)}, {@code InetSocketAddress},
 * {@code java.net.http}, URLConnection and libraries on the JDK resolver) that misses the JDK's address cache calls it:
 * on JDK 17 as {@code (String, InetAddress)}, before the {@code NameService}; on JDK 18+ as {@code (String)}, before
 * the {@code InetAddressResolver} (JEP 418). It runs inside the JDK's cache entry ({@code NameServiceAddresses.get}), so
 * answers and failures are cached by the JDK's own policy ({@code networkaddress.cache.ttl}, {@code .negative.ttl}).
 *
 * <p>The inserted code: {@code r = PinBridge.lookupName(host); if (r != null) return r;} and the method's own code.
 * The branch needs one stack map frame (the entry frame plus the null on the stack), written by hand so the
 * class is not re-analysed (COMPUTE_FRAMES would load classes from inside a {@code java.base} transformation).
 */
public final class NameServiceInstrumentation {

    private static final String TARGET = "java/net/InetAddress";
    private static final String METHOD = "getAddressesFromNameService";
    private static final String RESULT = "[Ljava/net/InetAddress;";

    private NameServiceInstrumentation() {
    }

    /** Registers the transformer and retransforms {@code InetAddress}; false (reported) when it is not patched. */
    public static boolean install(Instrumentation instrumentation) {
        AtomicBoolean patched = new AtomicBoolean();
        ClassFileTransformer transformer = new Transformer(patched);
        instrumentation.addTransformer(transformer, true);
        try {
            instrumentation.retransformClasses(InetAddress.class);
        } catch (Exception | LinkageError e) {
            IfpinLog.error("retransforming java.net.InetAddress failed: " + e);
        }
        return patched.get();
    }

    /** The patched bytes of {@code InetAddress}, or null when the method is not found (package-private for tests). */
    static byte[] patch(byte[] classFile) {
        ClassReader reader = new ClassReader(classFile);
        ClassWriter writer = new ClassWriter(reader, ClassWriter.COMPUTE_MAXS);
        boolean[] found = {false};
        reader.accept(new ClassVisitor(Opcodes.ASM9, writer) {
            @Override
            public MethodVisitor visitMethod(int access, String name, String descriptor, String signature,
                                             String[] exceptions) {
                MethodVisitor visitor = super.visitMethod(access, name, descriptor, signature, exceptions);
                if (name.equals(METHOD) && (access & Opcodes.ACC_STATIC) != 0
                        && descriptor.startsWith("(Ljava/lang/String;") && descriptor.endsWith(")" + RESULT)) {
                    found[0] = true;
                    return new AskBridgeFirst(visitor);
                }
                return visitor;
            }
        }, 0);
        return found[0] ? writer.toByteArray() : null;
    }

    private static final class Transformer implements ClassFileTransformer {
        private final AtomicBoolean patched;

        Transformer(AtomicBoolean patched) {
            this.patched = patched;
        }

        @Override
        public byte[] transform(Module module, ClassLoader loader, String className, Class<?> redefined,
                                ProtectionDomain domain, byte[] classFile) {
            if (loader != null || !TARGET.equals(className)) {
                return null;
            }
            try {
                byte[] bytes = patch(classFile);
                if (bytes == null) {
                    IfpinLog.error("java.net.InetAddress has no " + METHOD + "(String...) on this JDK: names that"
                            + " rules with dns match are resolved by the system resolver");
                    return null;
                }
                patched.set(true);
                return bytes;
            } catch (Throwable t) {
                IfpinLog.error("instrumenting java.net.InetAddress failed: " + t);
                return null;
            }
        }
    }

    private static final class AskBridgeFirst extends MethodVisitor {
        AskBridgeFirst(MethodVisitor next) {
            super(Opcodes.ASM9, next);
        }

        @Override
        public void visitCode() {
            super.visitCode();
            Label systemResolver = new Label();
            super.visitVarInsn(Opcodes.ALOAD, 0);
            super.visitMethodInsn(Opcodes.INVOKESTATIC, "io/ifpin/bridge/PinBridge", "lookupName",
                    "(Ljava/lang/String;)" + RESULT, false);
            super.visitInsn(Opcodes.DUP);
            super.visitJumpInsn(Opcodes.IFNULL, systemResolver);
            super.visitInsn(Opcodes.ARETURN);
            super.visitLabel(systemResolver);
            super.visitFrame(Opcodes.F_SAME1, 0, null, 1, new Object[]{RESULT});
            super.visitInsn(Opcodes.POP);
        }
    }
}
