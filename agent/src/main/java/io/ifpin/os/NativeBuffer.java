package io.ifpin.os;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Array;

/**
 * Native memory for one Foreign Function call: one confined arena with one zeroed allocation, freed by
 * {@link #close}. The calls are not {@code critical} (docs/dev/performance.md, "critical downcalls"), so their pointer
 * arguments must be native memory; one allocation per call costs about 40 ns over passing Java arrays.
 *
 * <p>Java 17 bytecode: {@code Arena} and {@code MemorySegment} are reached through method handles typed with
 * {@code Object}, found once. None of these methods is restricted.
 */
final class NativeBuffer implements AutoCloseable {

    private static final MethodHandle OF_CONFINED;
    private static final MethodHandle ALLOCATE;
    private static final MethodHandle CLOSE;
    private static final MethodHandle SLICE;
    private static final MethodHandle COPY;
    private static final MethodHandle BYTES;
    private static final MethodHandle INTS;
    /** Where the caller's bytes start: after the errno capture state, 8-byte aligned. */
    static final long DATA = 64;
    /** The errno capture state's size and errno's offset in it ({@code Linker.Option.captureStateLayout()}). */
    static final long STATE_BYTES;
    static final long ERRNO_OFFSET;
    private static final Throwable UNAVAILABLE;

    static {
        MethodHandle ofConfined = null;
        MethodHandle allocate = null;
        MethodHandle close = null;
        MethodHandle slice = null;
        MethodHandle copy = null;
        MethodHandle bytes = null;
        MethodHandle ints = null;
        long stateBytes = 0;
        long errnoOffset = 0;
        Throwable unavailable = null;
        try {
            if (Runtime.version().feature() < 22) {
                throw new UnsupportedOperationException("the Foreign Function API is final from Java 22; this is Java "
                        + Runtime.version().feature());
            }
            Class<?> arena = Class.forName("java.lang.foreign.Arena");
            Class<?> segment = Class.forName("java.lang.foreign.MemorySegment");
            Class<?> option = Class.forName("java.lang.foreign.Linker$Option");
            Class<?> layout = Class.forName("java.lang.foreign.MemoryLayout");
            Class<?> path = Class.forName("java.lang.foreign.MemoryLayout$PathElement");
            MethodHandles.Lookup lookup = MethodHandles.publicLookup();
            ofConfined = lookup.findStatic(arena, "ofConfined", MethodType.methodType(arena))
                    .asType(MethodType.methodType(Object.class));
            allocate = lookup.findVirtual(arena, "allocate", MethodType.methodType(segment, long.class))
                    .asType(MethodType.methodType(Object.class, Object.class, long.class));
            close = lookup.findVirtual(arena, "close", MethodType.methodType(void.class))
                    .asType(MethodType.methodType(void.class, Object.class));
            slice = lookup.findVirtual(segment, "asSlice", MethodType.methodType(segment, long.class, long.class))
                    .asType(MethodType.methodType(Object.class, Object.class, long.class, long.class));
            copy = lookup.findStatic(segment, "copy", MethodType.methodType(void.class, segment, long.class, segment,
                    long.class, long.class)).asType(MethodType.methodType(void.class, Object.class, long.class,
                    Object.class, long.class, long.class));
            bytes = lookup.findStatic(segment, "ofArray", MethodType.methodType(segment, byte[].class))
                    .asType(MethodType.methodType(Object.class, byte[].class));
            ints = lookup.findStatic(segment, "ofArray", MethodType.methodType(segment, int[].class))
                    .asType(MethodType.methodType(Object.class, int[].class));
            // Method handles, not Method.invoke: core reflection on a JDK method reads its annotations first.
            Object state = lookup.findStatic(option, "captureStateLayout",
                    MethodType.methodType(Class.forName("java.lang.foreign.StructLayout"))).invoke();
            stateBytes = (long) lookup.findVirtual(layout, "byteSize", MethodType.methodType(long.class))
                    .invoke(state);
            Object errnoPath = Array.newInstance(path, 1);
            Array.set(errnoPath, 0, lookup.findStatic(path, "groupElement", MethodType.methodType(path, String.class))
                    .invoke("errno"));
            errnoOffset = (long) lookup.findVirtual(layout, "byteOffset", MethodType.methodType(long.class,
                    path.arrayType())).asFixedArity().invoke(state, errnoPath);
            if (stateBytes > DATA) {
                throw new UnsupportedOperationException("unexpected errno capture layout " + state);
            }
        } catch (Throwable t) {
            unavailable = t;
        }
        OF_CONFINED = ofConfined;
        ALLOCATE = allocate;
        CLOSE = close;
        SLICE = slice;
        COPY = copy;
        BYTES = bytes;
        INTS = ints;
        STATE_BYTES = stateBytes;
        ERRNO_OFFSET = errnoOffset;
        UNAVAILABLE = unavailable;
    }

    private final Object arena;
    private final Object segment;

    private NativeBuffer(Object arena, Object segment) {
        this.arena = arena;
        this.segment = segment;
    }

    /** Why the API is not there, or null. */
    static Throwable unavailable() {
        return UNAVAILABLE;
    }

    /** {@link #STATE_BYTES} for errno at offset 0, then {@code bytes} zeroed bytes at {@link #DATA}. */
    static NativeBuffer allocate(long bytes) {
        try {
            Object arena = (Object) OF_CONFINED.invokeExact();
            try {
                return new NativeBuffer(arena, (Object) ALLOCATE.invokeExact(arena, DATA + bytes));
            } catch (Throwable t) {
                CLOSE.invokeExact(arena);
                throw t;
            }
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** The errno capture segment, the first argument of every handle of {@link Libc}. */
    Object state() {
        return sliceAt(0, STATE_BYTES);
    }

    /** errno as the last call left it. */
    int errno() {
        return intAt(ERRNO_OFFSET);
    }

    /** A segment of {@code size} bytes at {@code offset} after {@link #DATA}, to pass as a pointer. */
    Object slice(long offset, long size) {
        return sliceAt(DATA + offset, size);
    }

    private Object sliceAt(long absolute, long size) {
        try {
            return (Object) SLICE.invokeExact(segment, absolute, size);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    void put(long offset, byte[] bytes) {
        copy(heap(bytes), 0, segment, DATA + offset, bytes.length);
    }

    void get(long offset, byte[] into, int length) {
        copy(segment, DATA + offset, heap(into), 0, length);
    }

    void putInt(long offset, int value) {
        copy(heap(new int[] {value}), 0, segment, DATA + offset, 4);
    }

    int getInt(long offset) {
        return intAt(DATA + offset);
    }

    private int intAt(long absolute) {
        int[] value = new int[1];
        copy(segment, absolute, heap(value), 0, 4);
        return value[0];
    }

    private static Object heap(byte[] bytes) {
        try {
            return (Object) BYTES.invokeExact(bytes);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    private static Object heap(int[] ints) {
        try {
            return (Object) INTS.invokeExact(ints);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    private static void copy(Object from, long fromOffset, Object to, long toOffset, long bytes) {
        try {
            COPY.invokeExact(from, fromOffset, to, toOffset, bytes);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    @Override
    public void close() {
        try {
            CLOSE.invokeExact(arena);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** invokeExact declares Throwable; these handles throw only what the JDK throws for a broken call. */
    static RuntimeException unexpected(Throwable t) {
        if (t instanceof RuntimeException runtime) {
            return runtime;
        }
        if (t instanceof Error error) {
            throw error;
        }
        return new IllegalStateException(t);
    }
}
