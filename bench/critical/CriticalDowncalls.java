import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * What {@code Linker.Option.critical} buys ifpin's pin calls (docs/dev/performance.md, "critical downcalls"): one
 * {@code setsockopt(SO_BINDTODEVICE, "lo")} plus one {@code getsockopt(SO_BINDTODEVICE)} per iteration, on one UDP
 * socket, three ways: critical with Java arrays (what ifpin did), non-critical with one confined arena and one
 * allocation per call (what ifpin does, os/NativeBuffer), and non-critical with four allocations per call.
 * A plain loop, not JMH (the FFM API needs Java 22+ source; bench/ is Java 17): compare the columns of one run.
 *
 * <pre>sudo /usr/lib/jvm/temurin-25-jdk-amd64/bin/java --enable-native-access=ALL-UNNAMED bench/critical/CriticalDowncalls.java 2000000</pre>
 * Root: re-binding a bound socket needs CAP_NET_RAW.
 */
public class CriticalDowncalls {
    static final Linker LINKER = Linker.nativeLinker();
    static final SymbolLookup LIBC = LINKER.defaultLookup();
    static final FunctionDescriptor SET = FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT,
            ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT);
    static final FunctionDescriptor GET = FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT,
            ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.ADDRESS);
    static final Linker.Option ERRNO = Linker.Option.captureCallState("errno");
    static final MethodHandle SET_CRITICAL = LINKER.downcallHandle(LIBC.find("setsockopt").get(), SET,
            Linker.Option.critical(true), ERRNO);
    static final MethodHandle GET_CRITICAL = LINKER.downcallHandle(LIBC.find("getsockopt").get(), GET,
            Linker.Option.critical(true), ERRNO);
    static final MethodHandle SET_PLAIN = LINKER.downcallHandle(LIBC.find("setsockopt").get(), SET, ERRNO);
    static final MethodHandle GET_PLAIN = LINKER.downcallHandle(LIBC.find("getsockopt").get(), GET, ERRNO);
    static final long STATE = Linker.Option.captureStateLayout().byteSize();
    static final int SOL_SOCKET = 1;
    static final int SO_BINDTODEVICE = 25;

    public static void main(String[] args) throws Throwable {
        MethodHandle socket = LINKER.downcallHandle(LIBC.find("socket").get(), FunctionDescriptor.of(
                ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
        int fd = (int) socket.invokeExact(10 /* AF_INET6 */, 2 /* SOCK_DGRAM */, 0);
        byte[] lo = "lo".getBytes();
        int n = Integer.parseInt(args[0]);
        for (int round = 0; round < 5; round++) {
            long t0 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                critical(fd, lo);
            }
            long t1 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                oneAllocation(fd, lo);
            }
            long t2 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                fourAllocations(fd, lo);
            }
            long t3 = System.nanoTime();
            System.out.printf("round %d, ns per set+get: critical with arrays %.0f, plain with one allocation %.0f,"
                    + " plain with four allocations %.0f%n", round, (t1 - t0) / (double) n, (t2 - t1) / (double) n,
                    (t3 - t2) / (double) n);
        }
    }

    static void critical(int fd, byte[] name) throws Throwable {
        int[] state = new int[(int) (STATE / 4)];
        int result = (int) SET_CRITICAL.invokeExact(MemorySegment.ofArray(state), fd, SOL_SOCKET, SO_BINDTODEVICE,
                MemorySegment.ofArray(name), name.length);
        byte[] out = new byte[16];
        int[] length = {16};
        result |= (int) GET_CRITICAL.invokeExact(MemorySegment.ofArray(state), fd, SOL_SOCKET, SO_BINDTODEVICE,
                MemorySegment.ofArray(out), MemorySegment.ofArray(length));
        check(result, state[0]);
    }

    static void oneAllocation(int fd, byte[] name) throws Throwable {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment all = arena.allocate(64);
            MemorySegment state = all.asSlice(0, STATE);
            MemorySegment value = all.asSlice(16, 16);
            MemorySegment.copy(MemorySegment.ofArray(name), 0, value, 0, name.length);
            int result = (int) SET_PLAIN.invokeExact(state, fd, SOL_SOCKET, SO_BINDTODEVICE, value, name.length);
            MemorySegment length = all.asSlice(48, 4);
            length.set(ValueLayout.JAVA_INT, 0, 16);
            result |= (int) GET_PLAIN.invokeExact(state, fd, SOL_SOCKET, SO_BINDTODEVICE, all.asSlice(32, 16), length);
            check(result, state.get(ValueLayout.JAVA_INT, 0));
        }
    }

    static void fourAllocations(int fd, byte[] name) throws Throwable {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(STATE);
            MemorySegment value = arena.allocate(16);
            MemorySegment.copy(MemorySegment.ofArray(name), 0, value, 0, name.length);
            int result = (int) SET_PLAIN.invokeExact(state, fd, SOL_SOCKET, SO_BINDTODEVICE, value, name.length);
            MemorySegment length = arena.allocate(4);
            length.set(ValueLayout.JAVA_INT, 0, 16);
            result |= (int) GET_PLAIN.invokeExact(state, fd, SOL_SOCKET, SO_BINDTODEVICE, arena.allocate(16), length);
            check(result, state.get(ValueLayout.JAVA_INT, 0));
        }
    }

    static void check(int result, int errno) {
        if (result != 0) {
            throw new IllegalStateException("errno " + errno);
        }
    }
}
