package io.ifpin.instrument;

import net.bytebuddy.jar.asm.ClassWriter;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The JDK transformer as the JVM meets it: fed class bytes, without a JVM agent. */
class SocketInstrumentationTest {

    private static final String SEND = "DatagramSocket/DatagramChannel send (sun.nio.ch.DatagramChannelImpl)";

    /**
     * The patched method no longer fits the JVM's 64 KiB code limit, so writing the class fails after the patch was
     * applied: the class stays as it was, and the path must not be reported as covered.
     */
    @Test
    void aClassThatCannotBeWrittenIsNotCovered() throws Exception {
        FakeInstrumentation fake = new FakeInstrumentation();
        SocketInstrumentation.Coverage coverage = SocketInstrumentation.register(fake.instrumentation);
        byte[] patched = fake.transformer.transform(null, null, "sun/nio/ch/DatagramChannelImpl", null, null,
                datagramChannelWithHugeSend());
        assertNull(patched, "the class is left as the JDK made it");
        List<String> missing = coverage.check();
        assertTrue(missing.contains(SEND), "not covered: " + missing);
    }

    /** {@code DatagramChannelImpl} with its {@code fd} field and a {@code send} 2 bytes short of the code limit. */
    private static byte[] datagramChannelWithHugeSend() {
        ClassWriter writer = new ClassWriter(0);
        writer.visit(Opcodes.V17, Opcodes.ACC_PUBLIC, "sun/nio/ch/DatagramChannelImpl", null, "java/lang/Object", null);
        writer.visitField(Opcodes.ACC_PRIVATE, "fd", "Ljava/io/FileDescriptor;", null, null).visitEnd();
        MethodVisitor send = writer.visitMethod(Opcodes.ACC_PRIVATE, "send",
                "(Ljava/io/FileDescriptor;Ljava/nio/ByteBuffer;Ljava/net/InetSocketAddress;)I", null, null);
        send.visitCode();
        for (int i = 0; i < 65_532; i++) {
            send.visitInsn(Opcodes.NOP);
        }
        send.visitInsn(Opcodes.ICONST_0);
        send.visitInsn(Opcodes.IRETURN);
        send.visitMaxs(1, 4);
        send.visitEnd();
        writer.visitEnd();
        return writer.toByteArray();
    }
}
