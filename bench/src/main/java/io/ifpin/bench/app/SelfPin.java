package io.ifpin.bench.app;

import java.io.FileDescriptor;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Array;
import java.lang.reflect.Field;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * What an application that pins its own sockets pays: {@code setsockopt(SO_BINDTODEVICE)} through the Foreign
 * Function API (a critical downcall with a heap array, the fastest call the JDK has) on the {@link Socket}'s fd,
 * before it connects. The harness compares the agent's pinned throughput with this, to separate what pinning costs
 * (the call and the kernel's bound connect) from what ifpin adds. Java 22+; reached by reflection, so that the app
 * stays Java 17 bytecode. The fd is read from {@code Socket.impl} (a {@code SocksSocketImpl} around the platform's
 * {@code NioSocketImpl}) and {@code SocketImpl.fd}: the JVM needs {@code --add-opens} of {@code java.base/java.net}
 * and {@code java.base/java.io}.
 */
final class SelfPin {

    private static final MethodHandle SETSOCKOPT; // (int, int, int, Object segment, int) int
    private static final MethodHandle BYTES;      // MemorySegment.ofArray(byte[]) as (byte[]) Object
    private static final Field SOCKET_IMPL;
    private static final Field DELEGATE;
    private static final Field IMPL_FD;
    private static final Field FD;

    static {
        try {
            Class<?> linkerClass = Class.forName("java.lang.foreign.Linker");
            Class<?> optionClass = Class.forName("java.lang.foreign.Linker$Option");
            Class<?> segmentClass = Class.forName("java.lang.foreign.MemorySegment");
            Class<?> layoutClass = Class.forName("java.lang.foreign.MemoryLayout");
            Class<?> descriptorClass = Class.forName("java.lang.foreign.FunctionDescriptor");
            Object linker = linkerClass.getMethod("nativeLinker").invoke(null);
            Object libc = linkerClass.getMethod("defaultLookup").invoke(linker);
            Object symbol = ((Optional<?>) Class.forName("java.lang.foreign.SymbolLookup").getMethod("find", String.class)
                    .invoke(libc, "setsockopt")).orElseThrow();
            Class<?> valueLayout = Class.forName("java.lang.foreign.ValueLayout");
            Object jint = valueLayout.getField("JAVA_INT").get(null);
            Object address = valueLayout.getField("ADDRESS").get(null);
            Object arguments = Array.newInstance(layoutClass, 5);
            Object[] layouts = {jint, jint, jint, address, jint};
            for (int i = 0; i < layouts.length; i++) {
                Array.set(arguments, i, layouts[i]);
            }
            Object descriptor = descriptorClass.getMethod("of", layoutClass, layoutClass.arrayType())
                    .invoke(null, jint, arguments);
            Object options = Array.newInstance(optionClass, 1);
            Array.set(options, 0, optionClass.getMethod("critical", boolean.class).invoke(null, true));
            SETSOCKOPT = ((MethodHandle) linkerClass.getMethod("downcallHandle", segmentClass, descriptorClass,
                    optionClass.arrayType()).invoke(linker, symbol, descriptor, options))
                    .asType(MethodType.methodType(int.class, int.class, int.class, int.class, Object.class, int.class));
            BYTES = MethodHandles.publicLookup()
                    .findStatic(segmentClass, "ofArray", MethodType.methodType(segmentClass, byte[].class))
                    .asType(MethodType.methodType(Object.class, byte[].class));
            SOCKET_IMPL = Socket.class.getDeclaredField("impl");
            SOCKET_IMPL.setAccessible(true);
            // A plain Socket's impl is a SocksSocketImpl around the platform's NioSocketImpl, which holds the fd.
            DELEGATE = Class.forName("java.net.DelegatingSocketImpl").getDeclaredField("delegate");
            DELEGATE.setAccessible(true);
            IMPL_FD = java.net.SocketImpl.class.getDeclaredField("fd");
            IMPL_FD.setAccessible(true);
            FD = FileDescriptor.class.getDeclaredField("fd");
            FD.setAccessible(true);
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IllegalStateException("self-pinning needs Java 22+ and --add-opens java.base/java.net and"
                    + " java.base/java.io to ALL-UNNAMED; this is " + Runtime.version() + ": " + e, e);
        }
    }

    private SelfPin() {
    }

    /** Binds the socket, created but not connected, to {@code device}. */
    static void pin(Socket socket, byte[] device) throws Throwable {
        socket.setTcpNoDelay(false); // creates the socket's fd if it was not yet (Socket creates it lazily)
        Object impl = SOCKET_IMPL.get(socket);
        if (DELEGATE.getDeclaringClass().isInstance(impl)) {
            impl = DELEGATE.get(impl);
        }
        int fd = FD.getInt(IMPL_FD.get(impl));
        Object name = (Object) BYTES.invokeExact(device);
        if ((int) SETSOCKOPT.invokeExact(fd, 1, 25, name, device.length) != 0) { // SOL_SOCKET, SO_BINDTODEVICE
            throw new IllegalStateException("setsockopt(SO_BINDTODEVICE) failed on fd " + fd);
        }
    }

    static byte[] device(String name) {
        return name.getBytes(StandardCharsets.US_ASCII);
    }
}
