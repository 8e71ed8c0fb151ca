package io.ifpin.build;

import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.ClassVisitor;
import net.bytebuddy.jar.asm.ClassWriter;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Build step (agent/pom.xml, before the agent jar is made): in ifpin's copy of JNA, turns every call to
 * {@code java.util.logging.Logger} into a call to {@code io.ifpin.core.JnaLogging}, so that loading JNA never
 * initialises the JDK's {@code LogManager} (see that class). {@code Logger.getLogger(String)} keeps its descriptor;
 * an instance call {@code logger.m(args)} becomes the static {@code JnaLogging.m(logger, args)}, so the operand stack
 * is the same and nothing else in the method changes. Any other use of {@code java.util.logging} (a method
 * {@code JnaLogging} does not have, {@code LogManager}, a handler) fails the build, naming the class: a new JNA
 * version must be looked at, not silently let initialise JUL again.
 */
public final class JnaLoggingRewriter {

    static final String LOGGER = "java/util/logging/Logger";
    static final String SHIM = "io/ifpin/core/JnaLogging";
    /** The {@code Logger} methods {@code JnaLogging} stands in for, by name. */
    static final Set<String> INSTANCE_METHODS = Set.of("isLoggable", "log");

    private JnaLoggingRewriter() {
    }

    /** {@code args[0]}: the directory of JNA's unpacked classes ({@code .../com/sun/jna}). */
    public static void main(String[] args) throws IOException {
        Path root = Path.of(args[0]);
        List<Path> classes;
        try (Stream<Path> files = Files.walk(root)) {
            classes = files.filter(file -> file.toString().endsWith(".class")).toList();
        }
        int rewritten = 0;
        for (Path file : classes) {
            byte[] original = Files.readAllBytes(file);
            byte[] result = rewrite(original, file.toString());
            if (result != original) {
                Files.write(file, result);
                rewritten++;
            }
        }
        if (rewritten == 0) {
            throw new IllegalStateException("no JNA class under " + root + " calls java.util.logging: is this JNA?"
                    + " Check JnaLoggingRewriter against the JNA version in the pom.");
        }
        System.out.println("JnaLoggingRewriter: " + rewritten + " of " + classes.size() + " JNA classes no longer"
                + " call java.util.logging.Logger");
    }

    /** The class with its Logger calls redirected, or {@code original} itself when it has none. */
    public static byte[] rewrite(byte[] original, String what) {
        ClassReader reader = new ClassReader(original);
        ClassWriter writer = new ClassWriter(reader, 0);
        List<String> unknown = new ArrayList<>();
        boolean[] changed = {false};
        reader.accept(new ClassVisitor(Opcodes.ASM9, writer) {
            @Override
            public MethodVisitor visitMethod(int access, String name, String descriptor, String signature,
                                             String[] exceptions) {
                return new MethodVisitor(Opcodes.ASM9, super.visitMethod(access, name, descriptor, signature,
                        exceptions)) {
                    @Override
                    public void visitMethodInsn(int opcode, String owner, String method, String methodDescriptor,
                                                boolean isInterface) {
                        if (owner.startsWith("java/util/logging/") && !owner.equals(LOGGER)) {
                            unknown.add(owner + "." + method + methodDescriptor);
                        } else if (owner.equals(LOGGER)) {
                            if (opcode == Opcodes.INVOKESTATIC && method.equals("getLogger")
                                    && methodDescriptor.equals("(Ljava/lang/String;)L" + LOGGER + ";")) {
                                changed[0] = true;
                                super.visitMethodInsn(Opcodes.INVOKESTATIC, SHIM, method, methodDescriptor, false);
                                return;
                            }
                            if (opcode == Opcodes.INVOKEVIRTUAL && INSTANCE_METHODS.contains(method)
                                    && isShimmed(method, methodDescriptor)) {
                                changed[0] = true;
                                super.visitMethodInsn(Opcodes.INVOKESTATIC, SHIM, method,
                                        "(L" + LOGGER + ";" + methodDescriptor.substring(1), false);
                                return;
                            }
                            unknown.add(owner + "." + method + methodDescriptor);
                        }
                        super.visitMethodInsn(opcode, owner, method, methodDescriptor, isInterface);
                    }
                };
            }
        }, 0);
        if (!unknown.isEmpty()) {
            throw new IllegalStateException(what + " uses java.util.logging beyond what io.ifpin.core.JnaLogging"
                    + " stands in for: " + unknown + ". Add these methods to JnaLogging and JnaLoggingRewriter.");
        }
        return changed[0] ? writer.toByteArray() : original;
    }

    /** The descriptors {@code JnaLogging} has for {@code isLoggable} and {@code log}. */
    private static boolean isShimmed(String method, String descriptor) {
        String level = "Ljava/util/logging/Level;";
        if (method.equals("isLoggable")) {
            return descriptor.equals("(" + level + ")Z");
        }
        return descriptor.equals("(" + level + "Ljava/lang/String;)V")
                || descriptor.equals("(" + level + "Ljava/lang/String;Ljava/lang/Object;)V")
                || descriptor.equals("(" + level + "Ljava/lang/String;[Ljava/lang/Object;)V")
                || descriptor.equals("(" + level + "Ljava/lang/String;Ljava/lang/Throwable;)V");
    }
}
