package io.ifpin.os;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Array;
import java.lang.reflect.Method;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

/**
 * The two calls of every pin, {@code setsockopt} and {@code getsockopt(SO_BINDTODEVICE)}, through the JDK's Foreign
 * Function API (final in Java 22); everything else is delegated to {@link LinuxSocketsJna}, which ifpin needs anyway
 * (netlink, {@code if_nameindex}). JNA adds about 0.5 µs to each call over C; these downcalls cost what the system
 * call costs (docs/performance.md).
 *
 * <p>Why it is fast: the handles are {@code static final}, so the JIT inlines them; they are {@code critical}
 * with heap access, so the arguments are plain Java arrays (no native memory, no arena) and the thread makes no
 * state transition; errno is captured into a heap array too ({@code captureCallState}). {@code critical} is for
 * short calls that never call back into Java: these two take the socket's lock and copy 16 bytes, and the
 * garbage collector waiting for them a microsecond is the price.
 *
 * <p>ifpin is Java 17 bytecode, so {@code java.lang.foreign} is reached by reflection, once, in the static
 * initialiser; the handles are typed with {@code Object} for {@code MemorySegment}. On Java 17 to 21 the
 * initialiser records why it cannot work and {@link #over} refuses.
 */
public final class LinuxSocketsFfm implements SocketOptions {

    /** {@code (MemorySegment errno, int fd, int level, int name, MemorySegment value, int length) int} */
    private static final MethodHandle SETSOCKOPT;
    /** {@code (MemorySegment errno, int fd, int level, int name, MemorySegment value, MemorySegment length) int} */
    private static final MethodHandle GETSOCKOPT;
    /** {@code MemorySegment.ofArray(byte[])} */
    private static final MethodHandle BYTES;
    /** {@code MemorySegment.ofArray(int[])} */
    private static final MethodHandle INTS;
    /** The captured call state's size in ints, and errno's place in it (Linker.Option.captureStateLayout()). */
    private static final int STATE_INTS;
    private static final int ERRNO_INT;
    /** Why the API cannot be used here, or null. */
    private static final Throwable UNAVAILABLE;

    static {
        MethodHandle set = null;
        MethodHandle get = null;
        MethodHandle bytes = null;
        MethodHandle ints = null;
        int stateInts = 0;
        int errnoInt = 0;
        Throwable unavailable = null;
        try {
            if (Runtime.version().feature() < 22) {
                throw new UnsupportedOperationException("the Foreign Function API is final from Java 22; this is Java "
                        + Runtime.version().feature());
            }
            Class<?> linkerClass = Class.forName("java.lang.foreign.Linker");
            Class<?> optionClass = Class.forName("java.lang.foreign.Linker$Option");
            Class<?> segmentClass = Class.forName("java.lang.foreign.MemorySegment");
            Class<?> layoutClass = Class.forName("java.lang.foreign.MemoryLayout");
            Class<?> pathClass = Class.forName("java.lang.foreign.MemoryLayout$PathElement");
            Class<?> valueLayoutClass = Class.forName("java.lang.foreign.ValueLayout");
            Class<?> descriptorClass = Class.forName("java.lang.foreign.FunctionDescriptor");
            Class<?> lookupClass = Class.forName("java.lang.foreign.SymbolLookup");

            Object linker = linkerClass.getMethod("nativeLinker").invoke(null);
            Object libc = linkerClass.getMethod("defaultLookup").invoke(linker);
            Object jint = valueLayoutClass.getField("JAVA_INT").get(null);
            Object address = valueLayoutClass.getField("ADDRESS").get(null);
            Method of = descriptorClass.getMethod("of", layoutClass, layoutClass.arrayType());
            Object setDescriptor = of.invoke(null, jint, layouts(layoutClass, jint, jint, jint, address, jint));
            Object getDescriptor = of.invoke(null, jint, layouts(layoutClass, jint, jint, jint, address, address));
            Object options = Array.newInstance(optionClass, 2);
            Array.set(options, 0, optionClass.getMethod("critical", boolean.class).invoke(null, true));
            Array.set(options, 1, optionClass.getMethod("captureCallState", String[].class)
                    .invoke(null, (Object) new String[] {"errno"}));
            Method find = lookupClass.getMethod("find", String.class);
            Method downcall = linkerClass.getMethod("downcallHandle", segmentClass, descriptorClass,
                    optionClass.arrayType());
            set = ((MethodHandle) downcall.invoke(linker, symbol(find, libc, "setsockopt"), setDescriptor, options))
                    .asType(MethodType.methodType(int.class, Object.class, int.class, int.class, int.class,
                            Object.class, int.class));
            get = ((MethodHandle) downcall.invoke(linker, symbol(find, libc, "getsockopt"), getDescriptor, options))
                    .asType(MethodType.methodType(int.class, Object.class, int.class, int.class, int.class,
                            Object.class, Object.class));

            MethodHandles.Lookup lookup = MethodHandles.publicLookup();
            bytes = lookup.findStatic(segmentClass, "ofArray", MethodType.methodType(segmentClass, byte[].class))
                    .asType(MethodType.methodType(Object.class, byte[].class));
            ints = lookup.findStatic(segmentClass, "ofArray", MethodType.methodType(segmentClass, int[].class))
                    .asType(MethodType.methodType(Object.class, int[].class));

            Object stateLayout = optionClass.getMethod("captureStateLayout").invoke(null);
            long size = (long) layoutClass.getMethod("byteSize").invoke(stateLayout);
            Object errnoPath = Array.newInstance(pathClass, 1);
            Array.set(errnoPath, 0, pathClass.getMethod("groupElement", String.class).invoke(null, "errno"));
            long offset = (long) layoutClass.getMethod("byteOffset", pathClass.arrayType()).invoke(stateLayout, errnoPath);
            if (offset % 4 != 0 || size % 4 != 0) {
                throw new UnsupportedOperationException("unexpected errno layout " + stateLayout);
            }
            stateInts = (int) (size / 4);
            errnoInt = (int) (offset / 4);
        } catch (Throwable t) {
            unavailable = t instanceof java.lang.reflect.InvocationTargetException && t.getCause() != null
                    ? t.getCause() : t;
        }
        SETSOCKOPT = set;
        GETSOCKOPT = get;
        BYTES = bytes;
        INTS = ints;
        STATE_INTS = stateInts;
        ERRNO_INT = errnoInt;
        UNAVAILABLE = unavailable;
    }

    private static Object layouts(Class<?> layoutClass, Object... layouts) {
        Object array = Array.newInstance(layoutClass, layouts.length);
        for (int i = 0; i < layouts.length; i++) {
            Array.set(array, i, layouts[i]);
        }
        return array;
    }

    private static Object symbol(Method find, Object lookup, String name) throws ReflectiveOperationException {
        return ((Optional<?>) find.invoke(lookup, name))
                .orElseThrow(() -> new UnsupportedOperationException("the C library has no " + name));
    }

    /** A name no interface can have ('/' is not allowed in one), so binding to it fails in every namespace. */
    private static final String NO_SUCH_INTERFACE = "ifpin/none";

    private final SocketOptions jna;

    private LinuxSocketsFfm(SocketOptions jna) {
        this.jna = jna;
    }

    /**
     * FFM for the pin calls over {@code jna} for the rest, after a check on a throwaway UDP socket (no traffic):
     * an unbound socket reads as unbound, and binding it to an impossible name fails with ENODEV (EPERM before Linux
     * 5.7 without CAP_NET_RAW), which proves the errno capture. Throws, saying why, when the API is missing or the
     * check fails (UnsupportedOperationException: no usable API here; another exception: the check failed); the
     * caller then keeps JNA.
     */
    public static SocketOptions over(SocketOptions jna) throws Exception {
        if (UNAVAILABLE != null) {
            throw new UnsupportedOperationException(UNAVAILABLE instanceof UnsupportedOperationException
                    ? UNAVAILABLE.getMessage() : UNAVAILABLE.toString(), UNAVAILABLE);
        }
        LinuxSocketsFfm ffm = new LinuxSocketsFfm(jna);
        int fd = jna.openProbeSocket();
        try {
            String bound = ffm.boundDevice(fd);
            if (!bound.isEmpty()) {
                throw new IllegalStateException("a new socket read as bound to '" + bound + "'");
            }
            try {
                ffm.bindToDevice(fd, NO_SUCH_INTERFACE);
                throw new IllegalStateException("binding to '" + NO_SUCH_INTERFACE + "' succeeded");
            } catch (ErrnoException expected) {
                if (expected.errno() != Errno.ENODEV && expected.errno() != Errno.EPERM) {
                    throw new IllegalStateException("binding to '" + NO_SUCH_INTERFACE + "' failed with "
                            + expected.errnoName() + ", not ENODEV or EPERM");
                }
            }
        } finally {
            jna.closeProbeSocket(fd);
        }
        return ffm;
    }

    @Override
    public String implementation() {
        return "FFM";
    }

    @Override
    public void bindToDevice(int fd, String interfaceName) throws ErrnoException {
        // No NUL needed: the kernel copies optlen bytes (at most IFNAMSIZ - 1) into a zeroed buffer (net/core/sock.c).
        byte[] name = interfaceName.getBytes(StandardCharsets.US_ASCII);
        int[] state = new int[STATE_INTS];
        int result;
        try {
            Object stateSegment = (Object) INTS.invokeExact(state);
            Object nameSegment = (Object) BYTES.invokeExact(name);
            result = (int) SETSOCKOPT.invokeExact(stateSegment, fd, LinuxSocketsJna.SOL_SOCKET,
                    LinuxSocketsJna.SO_BINDTODEVICE, nameSegment, name.length);
        } catch (Throwable t) {
            throw unexpected(t);
        }
        if (result != 0) {
            throw new ErrnoException("setsockopt(SO_BINDTODEVICE, \"" + interfaceName + "\")", state[ERRNO_INT]);
        }
    }

    @Override
    public String boundDevice(int fd) throws ErrnoException {
        byte[] name = new byte[LinuxSocketsJna.IFNAMSIZ];
        int[] length = {LinuxSocketsJna.IFNAMSIZ};
        int[] state = new int[STATE_INTS];
        int result;
        try {
            Object stateSegment = (Object) INTS.invokeExact(state);
            Object nameSegment = (Object) BYTES.invokeExact(name);
            Object lengthSegment = (Object) INTS.invokeExact(length);
            result = (int) GETSOCKOPT.invokeExact(stateSegment, fd, LinuxSocketsJna.SOL_SOCKET,
                    LinuxSocketsJna.SO_BINDTODEVICE, nameSegment, lengthSegment);
        } catch (Throwable t) {
            throw unexpected(t);
        }
        if (result != 0) {
            throw new ErrnoException("getsockopt(SO_BINDTODEVICE)", state[ERRNO_INT]);
        }
        return LinuxSocketsJna.deviceName(name, length[0]);
    }

    /** invokeExact declares Throwable; the handles throw only what the JDK throws for a broken call. */
    private static RuntimeException unexpected(Throwable t) {
        if (t instanceof RuntimeException runtime) {
            return runtime;
        }
        if (t instanceof Error error) {
            throw error;
        }
        return new IllegalStateException(t);
    }

    @Override
    public int socketType(int fd) throws ErrnoException {
        return jna.socketType(fd);
    }

    @Override
    public InetSocketAddress localSocketAddress(int fd) {
        return jna.localSocketAddress(fd);
    }

    @Override
    public int openProbeSocket() throws ErrnoException {
        return jna.openProbeSocket();
    }

    @Override
    public void closeProbeSocket(int fd) {
        jna.closeProbeSocket(fd);
    }

    @Override
    public String localAddress(int fd) {
        return jna.localAddress(fd);
    }

    @Override
    public List<String> interfaceNames() throws ErrnoException {
        return jna.interfaceNames();
    }
}
