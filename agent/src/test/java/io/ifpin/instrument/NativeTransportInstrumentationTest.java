package io.ifpin.instrument;

import net.bytebuddy.jar.asm.ClassWriter;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;
import org.junit.jupiter.api.Test;

import java.lang.instrument.ClassFileTransformer;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The Netty transformer as a class loader meets it: fed class bytes, without a JVM agent. */
class NativeTransportInstrumentationTest {

    /**
     * Two loaders load a Netty copy each at the same time; each transformer call asks its loader whether it sees the
     * bridge. Loader A's lookup waits until loader B's has started: a transformer that holds a lock across the lookup
     * keeps B out, and in a real JVM (A's lookup delegating to B, which holds its own loader lock while it waits for
     * the transformer) that is a deadlock. The wait is bounded so the test fails instead of hanging.
     */
    @Test
    void twoLoadersLookUpTheBridgeAtTheSameTime() throws Exception {
        FakeInstrumentation fake = new FakeInstrumentation();
        NettyClassFilter.install(fake.instrumentation);
        ClassFileTransformer transformer = fake.transformer;
        CountDownLatch aLooking = new CountDownLatch(1);
        CountDownLatch bLooking = new CountDownLatch(1);
        AtomicBoolean aSawB = new AtomicBoolean();
        ClassLoader a = new BridgeLookup(() -> {
            aLooking.countDown();
            try {
                aSawB.set(bLooking.await(10, TimeUnit.SECONDS));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        ClassLoader b = new BridgeLookup(bLooking::countDown);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread first = transformIn(transformer, a, "a/netty", failure);
        assertTrue(aLooking.await(30, TimeUnit.SECONDS), "loader A's bridge lookup started");
        Thread second = transformIn(transformer, b, "b/netty", failure);
        first.join(60_000);
        second.join(60_000);
        assertFalse(first.isAlive() || second.isAlive(), "both transformations returned");
        assertNull(failure.get());
        assertTrue(aSawB.get(), "loader B's bridge lookup could not start while loader A's was in progress:"
                + " the transformer holds a lock across Class.forName(..., loader)");
    }

    /** The filter premain registers passes on every class name a shape matches, under any package prefix. */
    @Test
    void theFilterPassesOnEveryShape() {
        for (String suffix : NativeTransportInstrumentation.suffixes()) {
            assertTrue(("shaded/io/netty" + suffix).contains(NettyClassFilter.CHANNEL), suffix);
        }
        assertFalse(NativeTransportInstrumentation.suffixes().isEmpty());
    }

    private static Thread transformIn(ClassFileTransformer transformer, ClassLoader loader, String prefix,
                                      AtomicReference<Throwable> failure) {
        Thread thread = new Thread(() -> {
            try {
                transformer.transform(null, loader, prefix + "/channel/unix/Socket", null, null,
                        nettySocket(prefix));
            } catch (Throwable t) {
                failure.set(t);
            }
        }, "transform-" + prefix);
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    /** A loader whose lookup of the bridge runs {@code onBridgeLookup}, then does not find it. */
    private static final class BridgeLookup extends ClassLoader {
        private final Runnable onBridgeLookup;

        BridgeLookup(Runnable onBridgeLookup) {
            super(null);
            this.onBridgeLookup = onBridgeLookup;
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            if (name.equals("io.ifpin.bridge.PinBridge")) {
                onBridgeLookup.run();
                throw new ClassNotFoundException(name);
            }
            return super.loadClass(name, resolve);
        }
    }

    /** {@code <prefix>/channel/unix/Socket} with every method ifpin patches (bodies return at once). */
    static byte[] nettySocket(String prefix) {
        ClassWriter writer = new ClassWriter(ClassWriter.COMPUTE_MAXS);
        writer.visit(Opcodes.V1_8, Opcodes.ACC_PUBLIC, prefix + "/channel/unix/Socket", null,
                prefix + "/channel/unix/FileDescriptor", null);
        method(writer, "connect", "(Ljava/net/SocketAddress;)Z", Opcodes.ICONST_1, Opcodes.IRETURN);
        method(writer, "sendTo", "(Ljava/nio/ByteBuffer;IILjava/net/InetAddress;IZ)I", Opcodes.ICONST_0,
                Opcodes.IRETURN);
        method(writer, "sendToAddress", "(JIILjava/net/InetAddress;IZ)I", Opcodes.ICONST_0, Opcodes.IRETURN);
        method(writer, "sendToAddresses", "(JILjava/net/InetAddress;IZ)I", Opcodes.ICONST_0, Opcodes.IRETURN);
        method(writer, "listen", "(I)V", Opcodes.RETURN);
        writer.visitEnd();
        return writer.toByteArray();
    }

    private static void method(ClassWriter writer, String name, String descriptor, int... instructions) {
        MethodVisitor method = writer.visitMethod(Opcodes.ACC_PUBLIC, name, descriptor, null, null);
        method.visitCode();
        for (int instruction : instructions) {
            method.visitInsn(instruction);
        }
        method.visitMaxs(0, 0);
        method.visitEnd();
    }
}
