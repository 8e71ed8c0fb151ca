package io.ifpin.bench;

import io.ifpin.pin.StackCallers;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

import java.util.concurrent.TimeUnit;

/**
 * The cost of {@code callers} scoping: finding the class that opened a socket with {@link StackCallers}, as a rule
 * with {@code callers} does once per matching socket.
 *
 * <p>{@code framesToSkip} is how many frames lie between the lookup and the first application frame: in the agent
 * these are the JDK's socket code and ifpin's own (about 12 for {@code new Socket(host, port)}, 20 to 40 inside an
 * HTTP client's connection pool). Here they are {@link #descend} frames, and the "application" is the class
 * {@link Caller}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
public class CallerLookupBenchmark {

    @Param({"12", "40"})
    int framesToSkip;

    private final StackCallers callers = new StackCallers(type -> type == Caller.class);

    /** Stands for the application's class that opens the socket. */
    static final class Caller {
        static String open(CallerLookupBenchmark benchmark) {
            return benchmark.descend(benchmark.framesToSkip);
        }
    }

    String descend(int depth) {
        return depth == 0 ? callers.callerClassName() : descend(depth - 1);
    }

    @Benchmark
    public String findCaller() {
        return Caller.open(this);
    }

    /** The same descent without the walk: what the lookup adds is the difference. */
    @Benchmark
    public int descentOnly() {
        return depthOnly(framesToSkip);
    }

    private int depthOnly(int depth) {
        return depth == 0 ? 0 : 1 + depthOnly(depth - 1);
    }
}
