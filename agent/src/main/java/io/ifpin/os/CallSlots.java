package io.ifpin.os;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.concurrent.atomic.AtomicIntegerArray;

/**
 * Native memory reused across calls, so that pinning a socket through the Foreign Function API allocates nothing
 * (docs/dev/performance.md, "the pinned path"): {@value #SLOTS} slots, each an errno capture state and room for a
 * {@value #VALUE_BYTES}-byte option value, allocated once from the global arena and never freed (4 KB). A thread
 * takes a free slot with one compare-and-set, starting at a slot chosen by its identity hash so that threads pinning
 * at the same time rarely try the same one; when all are taken, or the value is larger, the caller uses a
 * {@link NativeBuffer} of its own, as every call did before. The calls are not critical ({@link Libc}), so the
 * memory must be native.
 */
final class CallSlots {

    static final int SLOTS = 32;
    /** {@code IFNAMSIZ}: an interface name, the pin's value; a mark (4 bytes) fits too. */
    static final int VALUE_BYTES = 16;
    /**
     * A {@code struct sockaddr_in6} (28 bytes), for binding a source address and for {@code getsockname}: a segment of
     * its own after the value, so the pin's {@code setsockopt} passes the same 16-byte segment as before (with one of
     * 32 bytes there, the JIT no longer removed an allocation of that call: PinCallAllocationTest).
     */
    static final int ADDRESS_BYTES = 32;
    private static final long ADDRESS_OFFSET = NativeBuffer.DATA + VALUE_BYTES;
    private static final long LENGTH_OFFSET = ADDRESS_OFFSET + ADDRESS_BYTES;
    /** Each slot on its own cache lines: the state at 0, the value at {@link NativeBuffer#DATA}. */
    private static final long STRIDE = 128;

    private static final Object[] STATE = new Object[SLOTS];
    private static final Object[] VALUE = new Object[SLOTS];
    private static final Object[] ADDRESS = new Object[SLOTS];
    private static final Object[] LENGTH = new Object[SLOTS];
    /**
     * A slot's taken flag every {@value #FLAG_STRIDE} ints (128 bytes): each flag on cache lines of its own, so that
     * threads taking and releasing different slots (every pinned connect does both) do not write the same line, which
     * would travel between the cores on every connect (docs/dev/performance.md, "Throughput with many threads").
     */
    static final int FLAG_STRIDE = 32;
    private static final AtomicIntegerArray TAKEN = new AtomicIntegerArray(SLOTS * FLAG_STRIDE);
    private static final MethodHandle COPY_BYTES; // MemorySegment.copy(byte[], int, segment, JAVA_BYTE, long, int)
    private static final MethodHandle GET_INT;    // segment.get(JAVA_INT, long)
    private static final MethodHandle SET_INT;    // segment.set(JAVA_INT, long, int)
    private static final MethodHandle GET_BYTE;   // segment.get(JAVA_BYTE, long)
    private static final Object JAVA_BYTE;
    private static final Object JAVA_INT;

    static {
        try {
            Class<?> arena = Class.forName("java.lang.foreign.Arena");
            Class<?> segment = Class.forName("java.lang.foreign.MemorySegment");
            Class<?> valueLayout = Class.forName("java.lang.foreign.ValueLayout");
            Class<?> ofInt = Class.forName("java.lang.foreign.ValueLayout$OfInt");
            Class<?> ofByte = Class.forName("java.lang.foreign.ValueLayout$OfByte");
            MethodHandles.Lookup lookup = MethodHandles.publicLookup();
            Object global = arena.getMethod("global").invoke(null);
            Object memory = arena.getMethod("allocate", long.class, long.class).invoke(global, SLOTS * STRIDE, 8L);
            java.lang.reflect.Method slice = segment.getMethod("asSlice", long.class, long.class);
            for (int i = 0; i < SLOTS; i++) {
                STATE[i] = slice.invoke(memory, i * STRIDE, NativeBuffer.STATE_BYTES);
                VALUE[i] = slice.invoke(memory, i * STRIDE + NativeBuffer.DATA, (long) VALUE_BYTES);
                ADDRESS[i] = slice.invoke(memory, i * STRIDE + ADDRESS_OFFSET, (long) ADDRESS_BYTES);
                LENGTH[i] = slice.invoke(memory, i * STRIDE + LENGTH_OFFSET, 4L);
            }
            JAVA_BYTE = valueLayout.getField("JAVA_BYTE").get(null);
            JAVA_INT = valueLayout.getField("JAVA_INT").get(null);
            COPY_BYTES = lookup.findStatic(segment, "copy", MethodType.methodType(void.class, Object.class, int.class,
                    segment, valueLayout, long.class, int.class)).asType(MethodType.methodType(void.class,
                    Object.class, int.class, Object.class, Object.class, long.class, int.class));
            GET_INT = lookup.findVirtual(segment, "get", MethodType.methodType(int.class, ofInt, long.class))
                    .asType(MethodType.methodType(int.class, Object.class, Object.class, long.class));
            SET_INT = lookup.findVirtual(segment, "set", MethodType.methodType(void.class, ofInt, long.class,
                    int.class)).asType(MethodType.methodType(void.class, Object.class, Object.class, long.class,
                    int.class));
            GET_BYTE = lookup.findVirtual(segment, "get", MethodType.methodType(byte.class, ofByte, long.class))
                    .asType(MethodType.methodType(byte.class, Object.class, Object.class, long.class));
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private CallSlots() {
    }

    /** A slot now the caller's, or -1 when all are taken: then use a {@link NativeBuffer}. */
    static int take() {
        int start = System.identityHashCode(Thread.currentThread());
        for (int i = 0; i < SLOTS; i++) {
            int slot = (start + i) & (SLOTS - 1);
            if (TAKEN.get(slot * FLAG_STRIDE) == 0 && TAKEN.compareAndSet(slot * FLAG_STRIDE, 0, 1)) {
                return slot;
            }
        }
        return -1;
    }

    /** A release store, not a full fence: what the next {@link #take} needs to see the slot's memory as written. */
    static void release(int slot) {
        TAKEN.lazySet(slot * FLAG_STRIDE, 0);
    }

    /** The errno capture segment of the slot, the first argument of {@link Libc}'s handles. */
    static Object state(int slot) {
        return STATE[slot];
    }

    /** The slot's value segment after copying {@code bytes} (at most {@link #VALUE_BYTES}) to its start. */
    static Object value(int slot, byte[] bytes) {
        Object value = VALUE[slot];
        try {
            COPY_BYTES.invokeExact((Object) bytes, 0, value, JAVA_BYTE, 0L, bytes.length);
        } catch (Throwable t) {
            throw NativeBuffer.unexpected(t);
        }
        return value;
    }

    /**
     * The slot's value segment holding the C int {@code value}: written in place, not copied from an array, so the
     * copy that the pin's interface name takes keeps its one kind of caller (PinCallAllocationTest).
     */
    static Object intValue(int slot, int value) {
        Object segment = VALUE[slot];
        try {
            SET_INT.invokeExact(segment, JAVA_INT, 0L, value);
        } catch (Throwable t) {
            throw NativeBuffer.unexpected(t);
        }
        return segment;
    }

    /** The slot's address segment after copying {@code sockaddr} (at most {@link #ADDRESS_BYTES}) to its start. */
    static Object address(int slot, byte[] sockaddr) {
        Object address = ADDRESS[slot];
        try {
            COPY_BYTES.invokeExact((Object) sockaddr, 0, address, JAVA_BYTE, 0L, sockaddr.length);
        } catch (Throwable t) {
            throw NativeBuffer.unexpected(t);
        }
        return address;
    }

    /** The slot's address segment, as a {@code getsockname} buffer of {@link #ADDRESS_BYTES}. */
    static Object address(int slot) {
        return ADDRESS[slot];
    }

    /** The slot's {@code socklen_t}, set to {@link #ADDRESS_BYTES}. */
    static Object length(int slot) {
        Object length = LENGTH[slot];
        try {
            SET_INT.invokeExact(length, JAVA_INT, 0L, ADDRESS_BYTES);
        } catch (Throwable t) {
            throw NativeBuffer.unexpected(t);
        }
        return length;
    }

    /** One byte of the slot's address segment. */
    static byte addressByte(int slot, long offset) {
        try {
            return (byte) GET_BYTE.invokeExact(ADDRESS[slot], JAVA_BYTE, offset);
        } catch (Throwable t) {
            throw NativeBuffer.unexpected(t);
        }
    }

    /** errno as the last call in the slot left it. */
    static int errno(int slot) {
        try {
            return (int) GET_INT.invokeExact(STATE[slot], JAVA_INT, NativeBuffer.ERRNO_OFFSET);
        } catch (Throwable t) {
            throw NativeBuffer.unexpected(t);
        }
    }
}
