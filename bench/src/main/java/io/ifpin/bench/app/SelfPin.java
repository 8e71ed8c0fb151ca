package io.ifpin.bench.app;

import java.io.FileDescriptor;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.invoke.VarHandle;
import java.lang.reflect.Array;
import java.net.Socket;
import java.net.SocketImpl;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * What an application that pins its own sockets pays: {@code setsockopt(SO_BINDTODEVICE)} on the {@link Socket}'s fd,
 * before it connects, with the fastest call its JDK has: on Java 22+ the Foreign Function API (a critical downcall
 * with a heap array); before, JNA's direct mapping (the only way there; JNA's jar must be on the class path). The
 * harness compares the agent's pinned throughput with this, to separate what pinning costs (the call and the
 * kernel's bound connect) from what ifpin adds. Reached by reflection, so that the app stays Java 17 bytecode and
 * needs JNA only where it uses it. The fd is read from the {@code Socket}'s impl ({@code getImpl()}, which creates it:
 * no second system call), a {@code SocksSocketImpl} around the platform's {@code NioSocketImpl}, and its
 * {@code SocketImpl.fd}: the JVM needs {@code --add-opens} of {@code java.base/java.net} and {@code java.base/java.io}.
 */
final class SelfPin {

    /** (int, int, int, Object value, int) int: FFM's, with a heap segment as value; or JNA's, with the byte[]. */
    private static final MethodHandle SETSOCKOPT;
    /** The value SETSOCKOPT takes for a byte[]: MemorySegment.ofArray(byte[]) (FFM), the array itself (JNA). */
    private static final MethodHandle BYTES;
    /** {@code Socket.getImpl()}: creates the socket's fd if it was not yet (a Socket creates it lazily). */
    private static final MethodHandle GET_IMPL;
    private static final Class<?> DELEGATING;
    private static final VarHandle DELEGATE;
    private static final VarHandle IMPL_FD;
    private static final VarHandle FD;

    static {
        try {
            MethodHandle[] call = Runtime.version().feature() >= 22 ? ffm() : jna();
            SETSOCKOPT = call[0];
            BYTES = call[1];
            MethodHandles.Lookup net = MethodHandles.privateLookupIn(Socket.class, MethodHandles.lookup());
            GET_IMPL = net.findVirtual(Socket.class, "getImpl", MethodType.methodType(SocketImpl.class));
            // A plain Socket's impl is a SocksSocketImpl around the platform's NioSocketImpl, which holds the fd.
            DELEGATING = Class.forName("java.net.DelegatingSocketImpl");
            DELEGATE = net.findVarHandle(DELEGATING, "delegate", SocketImpl.class);
            IMPL_FD = net.findVarHandle(SocketImpl.class, "fd", FileDescriptor.class);
            FD = MethodHandles.privateLookupIn(FileDescriptor.class, MethodHandles.lookup())
                    .findVarHandle(FileDescriptor.class, "fd", int.class);
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IllegalStateException("self-pinning needs --add-opens java.base/java.net and java.base/java.io"
                    + " to ALL-UNNAMED, and before Java 22 JNA on the class path; this is " + Runtime.version() + ": "
                    + e, e);
        }
    }

    /** setsockopt as a critical FFM downcall taking a heap segment, and MemorySegment.ofArray. */
    private static MethodHandle[] ffm() throws ReflectiveOperationException {
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
        MethodHandle setsockopt = ((MethodHandle) linkerClass.getMethod("downcallHandle", segmentClass,
                descriptorClass, optionClass.arrayType()).invoke(linker, symbol, descriptor, options))
                .asType(MethodType.methodType(int.class, int.class, int.class, int.class, Object.class, int.class));
        MethodHandle bytes = MethodHandles.publicLookup()
                .findStatic(segmentClass, "ofArray", MethodType.methodType(segmentClass, byte[].class))
                .asType(MethodType.methodType(Object.class, byte[].class));
        return new MethodHandle[] {setsockopt, bytes};
    }

    /**
     * setsockopt through JNA's direct mapping ({@link Jna}, registered when first used: only here, so that JNA's
     * classes load on Java 17 to 21 alone), and the identity for the value.
     */
    private static MethodHandle[] jna() throws ReflectiveOperationException {
        MethodHandle setsockopt = MethodHandles.lookup().findStatic(Jna.class, "setsockopt",
                MethodType.methodType(int.class, int.class, int.class, int.class, byte[].class, int.class))
                .asType(MethodType.methodType(int.class, int.class, int.class, int.class, Object.class, int.class));
        return new MethodHandle[] {setsockopt, MethodHandles.identity(byte[].class)
                .asType(MethodType.methodType(Object.class, byte[].class))};
    }

    /** libc's setsockopt, direct-mapped by JNA (as ifpin's LinuxSocketsJna, without its errno capture). */
    private static final class Jna {
        static {
            com.sun.jna.Native.register("c");
        }

        static native int setsockopt(int fd, int level, int name, byte[] value, int length);
    }

    private SelfPin() {
    }

    /**
     * Binds the socket, created but not connected, to {@code device}: one system call, as an application that pins
     * its own sockets makes (the fd is created by {@code getImpl()}, not by setting an option, which would be a
     * second system call on every connect).
     */
    static void pin(Socket socket, byte[] device) throws Throwable {
        SocketImpl impl = (SocketImpl) GET_IMPL.invokeExact(socket);
        if (DELEGATING.isInstance(impl)) {
            impl = (SocketImpl) DELEGATE.get(impl);
        }
        int fd = (int) FD.get((FileDescriptor) IMPL_FD.get(impl));
        Object name = (Object) BYTES.invokeExact(device);
        if ((int) SETSOCKOPT.invokeExact(fd, 1, 25, name, device.length) != 0) { // SOL_SOCKET, SO_BINDTODEVICE
            throw new IllegalStateException("setsockopt(SO_BINDTODEVICE) failed on fd " + fd);
        }
    }

    static byte[] device(String name) {
        return name.getBytes(StandardCharsets.US_ASCII);
    }
}
