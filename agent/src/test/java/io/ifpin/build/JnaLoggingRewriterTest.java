package io.ifpin.build;

import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.ClassVisitor;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JnaLoggingRewriterTest {

    /** Every JNA class whose static state holds a Logger, and two that call it through them. */
    private static final String[] JNA_CLASSES = {"com/sun/jna/Native", "com/sun/jna/NativeLibrary",
        "com/sun/jna/Structure", "com/sun/jna/Platform", "com/sun/jna/Native$1", "com/sun/jna/internal/Cleaner"};

    private static byte[] jna(String name) throws Exception {
        try (InputStream in = JnaLoggingRewriterTest.class.getClassLoader().getResourceAsStream(name + ".class")) {
            return in.readAllBytes();
        }
    }

    /** owner.name of every method call in the class. */
    private static List<String> calls(byte[] bytes) {
        List<String> calls = new ArrayList<>();
        new ClassReader(bytes).accept(new ClassVisitor(Opcodes.ASM9) {
            @Override
            public MethodVisitor visitMethod(int access, String name, String descriptor, String signature,
                                             String[] exceptions) {
                return new MethodVisitor(Opcodes.ASM9) {
                    @Override
                    public void visitMethodInsn(int opcode, String owner, String method, String desc, boolean itf) {
                        calls.add(owner + "." + method);
                    }
                };
            }
        }, 0);
        return calls;
    }

    @Test
    void jnaCallsJulBeforeAndNeverAfter() throws Exception {
        for (String name : JNA_CLASSES) {
            byte[] original = jna(name);
            assertTrue(calls(original).stream().anyMatch(call -> call.startsWith("java/util/logging/Logger.")),
                    name + " no longer calls Logger: update JNA_CLASSES");
            byte[] rewritten = JnaLoggingRewriter.rewrite(original, name);
            assertNotSame(original, rewritten);
            List<String> after = calls(rewritten);
            assertEquals(List.of(), after.stream().filter(call -> call.startsWith("java/util/logging/")).toList(),
                    name);
            assertTrue(after.stream().anyMatch(call -> call.startsWith(JnaLoggingRewriter.SHIM + ".")), name);
        }
    }

    @Test
    void theRewrittenNativeClassStillVerifiesAgainstTheShim() throws Exception {
        byte[] rewritten = JnaLoggingRewriter.rewrite(jna("com/sun/jna/NativeLibrary"), "NativeLibrary");
        // Defined in a throwaway loader that finds everything else on the test class path: linking checks descriptors.
        ClassLoader loader = new ClassLoader(getClass().getClassLoader()) {
            @Override
            protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
                if (name.equals("com.sun.jna.NativeLibrary")) {
                    synchronized (getClassLoadingLock(name)) {
                        Class<?> done = findLoadedClass(name);
                        return done != null ? done : defineClass(name, rewritten, 0, rewritten.length);
                    }
                }
                return super.loadClass(name, resolve);
            }
        };
        Class<?> type = Class.forName("com.sun.jna.NativeLibrary", false, loader);
        assertNotEquals(null, type.getDeclaredMethods()); // forces verification of every method
    }

    @Test
    void aClassWithoutLoggingIsLeftAsItIs() throws Exception {
        byte[] original = jna("com/sun/jna/Pointer");
        assertSame(original, JnaLoggingRewriter.rewrite(original, "Pointer"));
    }

    @Test
    void anUnknownUseOfJulFailsTheBuild() throws Exception {
        byte[] julUser = jnaLikeClassCalling("java/util/logging/LogManager", "getLogManager",
                "()Ljava/util/logging/LogManager;");
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> JnaLoggingRewriter.rewrite(julUser, "Fake"));
        assertTrue(e.getMessage().contains("java/util/logging/LogManager.getLogManager"), e.getMessage());
    }

    private static byte[] jnaLikeClassCalling(String owner, String method, String descriptor) {
        net.bytebuddy.jar.asm.ClassWriter writer = new net.bytebuddy.jar.asm.ClassWriter(
                net.bytebuddy.jar.asm.ClassWriter.COMPUTE_MAXS);
        writer.visit(Opcodes.V17, Opcodes.ACC_PUBLIC, "com/sun/jna/Fake", null, "java/lang/Object", null);
        MethodVisitor m = writer.visitMethod(Opcodes.ACC_STATIC, "<clinit>", "()V", null, null);
        m.visitCode();
        m.visitMethodInsn(Opcodes.INVOKESTATIC, owner, method, descriptor, false);
        m.visitInsn(Opcodes.POP);
        m.visitInsn(Opcodes.RETURN);
        m.visitMaxs(0, 0);
        m.visitEnd();
        writer.visitEnd();
        return writer.toByteArray();
    }
}
