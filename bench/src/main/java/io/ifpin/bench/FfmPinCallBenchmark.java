package io.ifpin.bench;

import io.ifpin.pin.FileDescriptors;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.io.FileDescriptor;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodType;
import java.lang.reflect.Array;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.nio.channels.DatagramChannel;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The same system calls as {@link PinCallBenchmark}, through the JDK's Foreign Function and Memory API (final in
 * JDK 22) instead of JNA: {@code setsockopt(SO_BINDTODEVICE, "lo")} and {@code getsockopt(SO_BINDTODEVICE)}, with
 * errno captured ({@code Linker.Option.captureCallState}) as JNA's {@code LastErrorException} does.
 *
 * <p>JDK 22+ only (run it on Temurin 25: {@code bench/run.sh} does). The agent and this module are Java 17
 * bytecode, so the API is reached by reflection once, in {@link Ffm}'s static initialiser; the calls themselves go
 * through {@code static final} method handles adapted to {@code Object} parameter types, which the JIT inlines as
 * constants: what an FFM implementation of {@code SocketOptions} compiled the same way would cost.
 *
 * <p>Buffers: the interface name is one native segment allocated once (an agent would keep one per rule
 * interface); getsockopt's output buffer and length are allocated once too (an agent would need one per thread,
 * or a confined arena per call: {@link #getBoundDeviceFreshArena} measures the latter).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {
        "--add-opens", "java.base/java.io=ALL-UNNAMED",
        "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED",
        "--enable-native-access=ALL-UNNAMED"})
public class FfmPinCallBenchmark {

    private static final int SOL_SOCKET = 1;
    private static final int SO_BINDTODEVICE = 25;

    private DatagramChannel channel;
    private int fd;

    /** The FFM handles and buffers, built by reflection so that this class still loads on JDK 17. */
    static final class Ffm {
        static final MethodHandle SETSOCKOPT;
        static final MethodHandle GETSOCKOPT;
        static final MethodHandle ALLOCATE;   // (Arena, long) -> MemorySegment
        static final MethodHandle OF_CONFINED; // () -> Arena
        static final MethodHandle CLOSE;      // (Arena) -> void
        static final Object CAPTURE;
        static final Object LO;
        static final Object NAME_BUFFER;
        static final Object LENGTH;

        static {
            try {
                Class<?> linkerClass = Class.forName("java.lang.foreign.Linker");
                Class<?> optionClass = Class.forName("java.lang.foreign.Linker$Option");
                Class<?> segmentClass = Class.forName("java.lang.foreign.MemorySegment");
                Class<?> layoutClass = Class.forName("java.lang.foreign.MemoryLayout");
                Class<?> valueLayoutClass = Class.forName("java.lang.foreign.ValueLayout");
                Class<?> descriptorClass = Class.forName("java.lang.foreign.FunctionDescriptor");
                Class<?> arenaClass = Class.forName("java.lang.foreign.Arena");
                Class<?> allocatorClass = Class.forName("java.lang.foreign.SegmentAllocator");
                Class<?> lookupClass = Class.forName("java.lang.foreign.SymbolLookup");

                Object linker = linkerClass.getMethod("nativeLinker").invoke(null);
                Object libc = linkerClass.getMethod("defaultLookup").invoke(linker);
                Method find = lookupClass.getMethod("find", String.class);
                Object jint = valueLayoutClass.getField("JAVA_INT").get(null);
                Object address = valueLayoutClass.getField("ADDRESS").get(null);
                Object[] argLayouts = (Object[]) Array.newInstance(layoutClass, 5);
                argLayouts[0] = jint;
                argLayouts[1] = jint;
                argLayouts[2] = jint;
                argLayouts[3] = address;
                argLayouts[4] = address; // getsockopt's socklen_t *; setsockopt's is replaced below
                Method of = descriptorClass.getMethod("of", layoutClass, layoutClass.arrayType());
                Object getDescriptor = of.invoke(null, jint, argLayouts);
                Object[] setLayouts = argLayouts.clone();
                setLayouts[4] = jint;
                Object setDescriptor = of.invoke(null, jint, setLayouts);

                Object[] options = (Object[]) Array.newInstance(optionClass, 1);
                options[0] = optionClass.getMethod("captureCallState", String[].class)
                        .invoke(null, (Object) new String[] {"errno"});
                Method downcall = linkerClass.getMethod("downcallHandle", segmentClass, descriptorClass,
                        optionClass.arrayType());
                Object setSymbol = ((Optional<?>) find.invoke(libc, "setsockopt")).orElseThrow();
                Object getSymbol = ((Optional<?>) find.invoke(libc, "getsockopt")).orElseThrow();
                MethodHandle set = (MethodHandle) downcall.invoke(linker, setSymbol, setDescriptor, options);
                MethodHandle get = (MethodHandle) downcall.invoke(linker, getSymbol, getDescriptor, options);
                // (MemorySegment state, int, int, int, MemorySegment, int|MemorySegment) int, as Object-typed handles
                SETSOCKOPT = set.asType(MethodType.methodType(int.class, Object.class, int.class, int.class,
                        int.class, Object.class, int.class));
                GETSOCKOPT = get.asType(MethodType.methodType(int.class, Object.class, int.class, int.class,
                        int.class, Object.class, Object.class));

                Object global = arenaClass.getMethod("global").invoke(null);
                Object stateLayout = optionClass.getMethod("captureStateLayout").invoke(null);
                CAPTURE = allocatorClass.getMethod("allocate", layoutClass).invoke(global, stateLayout);
                LO = allocatorClass.getMethod("allocateFrom", String.class).invoke(global, "lo");
                NAME_BUFFER = allocatorClass.getMethod("allocate", long.class).invoke(global, 16L);
                LENGTH = allocatorClass.getMethod("allocate", long.class).invoke(global, 4L);
                java.lang.invoke.MethodHandles.Lookup lookup = java.lang.invoke.MethodHandles.publicLookup();
                ALLOCATE = lookup.unreflect(allocatorClass.getMethod("allocate", long.class))
                        .asType(MethodType.methodType(Object.class, Object.class, long.class));
                OF_CONFINED = lookup.unreflect(arenaClass.getMethod("ofConfined"))
                        .asType(MethodType.methodType(Object.class));
                CLOSE = lookup.unreflect(arenaClass.getMethod("close"))
                        .asType(MethodType.methodType(void.class, Object.class));
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        /** Writes the length into the 4-byte segment (native order), via MemorySegment.set(JAVA_INT, 0, value). */
        static final MethodHandle SET_INT;

        static {
            try {
                Class<?> segmentClass = Class.forName("java.lang.foreign.MemorySegment");
                Class<?> ofInt = Class.forName("java.lang.foreign.ValueLayout$OfInt");
                Object jint = Class.forName("java.lang.foreign.ValueLayout").getField("JAVA_INT").get(null);
                MethodHandle set = java.lang.invoke.MethodHandles.publicLookup()
                        .unreflect(segmentClass.getMethod("set", ofInt, long.class, int.class));
                SET_INT = java.lang.invoke.MethodHandles.insertArguments(
                        set.asType(MethodType.methodType(void.class, Object.class, Object.class, long.class,
                                int.class)), 1, jint);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }
    }

    @Setup(Level.Iteration)
    public void open() throws Throwable {
        if (Runtime.version().feature() < 22) {
            throw new IllegalStateException("FfmPinCallBenchmark needs JDK 22+ (java.lang.foreign); this is "
                    + Runtime.version() + ". Run it on Temurin 25.");
        }
        channel = DatagramChannel.open();
        Field field = channel.getClass().getDeclaredField("fd");
        field.setAccessible(true);
        fd = FileDescriptors.intValue((FileDescriptor) field.get(channel));
        for (int i = 0; i < 2; i++) { // set once (unbound), then again (needs CAP_NET_RAW, like PinCall.setLo)
            int result = (int) Ffm.SETSOCKOPT.invokeExact(Ffm.CAPTURE, fd, SOL_SOCKET, SO_BINDTODEVICE, Ffm.LO, 3);
            if (result != 0) {
                throw new IllegalStateException("setsockopt(SO_BINDTODEVICE) failed: the set benchmarks need"
                        + " CAP_NET_RAW; run bench/run.sh as root");
            }
        }
    }

    @TearDown(Level.Iteration)
    public void close() throws Exception {
        channel.close();
    }

    @Benchmark
    public int setLo() throws Throwable {
        return (int) Ffm.SETSOCKOPT.invokeExact(Ffm.CAPTURE, fd, SOL_SOCKET, SO_BINDTODEVICE, Ffm.LO, 3);
    }

    @Benchmark
    public int getBoundDevice() throws Throwable {
        Ffm.SET_INT.invokeExact(Ffm.LENGTH, 0L, 16);
        return (int) Ffm.GETSOCKOPT.invokeExact(Ffm.CAPTURE, fd, SOL_SOCKET, SO_BINDTODEVICE, Ffm.NAME_BUFFER,
                Ffm.LENGTH);
    }

    /** getsockopt with its buffers from a confined arena opened and closed around the call. */
    @Benchmark
    public int getBoundDeviceFreshArena() throws Throwable {
        Object arena = (Object) Ffm.OF_CONFINED.invokeExact();
        try {
            Object name = (Object) Ffm.ALLOCATE.invokeExact(arena, 16L);
            Object length = (Object) Ffm.ALLOCATE.invokeExact(arena, 4L);
            Ffm.SET_INT.invokeExact(length, 0L, 16);
            return (int) Ffm.GETSOCKOPT.invokeExact(Ffm.CAPTURE, fd, SOL_SOCKET, SO_BINDTODEVICE, name, length);
        } finally {
            Ffm.CLOSE.invokeExact(arena);
        }
    }
}
