package io.ifpin.bench;

import io.ifpin.bridge.PinBridge;
import io.ifpin.config.ConfigLoader;
import io.ifpin.config.IfpinConfig;
import io.ifpin.diag.AsyncRouteChecker;
import io.ifpin.metrics.Metrics;
import io.ifpin.os.ErrnoException;
import io.ifpin.os.Routes;
import io.ifpin.os.SocketOptions;
import io.ifpin.pin.ErrorReporter;
import io.ifpin.pin.KernelVersion;
import io.ifpin.pin.Pinner;
import io.ifpin.rules.CallerLookup;
import io.ifpin.rules.RuleSet;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.BenchmarkParams;

import java.io.FileDescriptor;
import java.lang.reflect.Field;
import java.net.InetAddress;
import java.nio.channels.SocketChannel;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * What the agent adds to one connect, measured where it happens: {@code PinBridge.beforeTcpConnect}, the call the
 * instrumented {@code NioSocketImpl.beginConnect} makes, with the real {@link Pinner} and 10 or 10,000 rules
 * ({@link RuleMatchBenchmark}'s), and native calls through JNA or FFM ({@code calls}, as in {@link PinCallBenchmark}).
 * <ul>
 *   <li>{@code noHook}: the bridge before the agent installs its hook: the baseline of an instrumented JDK;</li>
 *   <li>{@code unmatched}: a destination no rule matches (203.0.113.200): the agent's whole cost for most sockets;</li>
 *   <li>{@code pinnedFreshSocket}: a destination the last IPv4 rule matches, on a new unbound TCP socket each time
 *       (opened and closed outside the measurement, {@code Level.Invocation}), pinned to {@code lo}: the agent's
 *       whole cost for a pinned socket, to compare with {@code connect-floor setsockopt} (bench/harness.sh).</li>
 *   <li>{@code pinnedIpv4}, {@code pinnedIpv6}: the same pin on one socket, set again each time (root:
 *       {@code CAP_NET_RAW}), with a route checker that has seen the destination's network, as in the steady
 *       state: nothing is opened in the measured thread, so {@code -prof gc}'s {@code gc.alloc.rate.norm} is the
 *       pinned path's own allocation (issue 20: 0 B/op).</li>
 * </ul>
 * Linux only; no traffic (nothing connects). The rules name interfaces if0..if7, which do not exist, so the pinned
 * case uses its own one-rule set for {@code lo} (its rule count parameter is then moot): the lookup cost is in
 * {@code unmatched} and in RuleMatchBenchmark.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms512m", "-Xmx512m",
        "--add-opens", "java.base/java.io=ALL-UNNAMED",
        "--add-opens", "java.base/java.net=ALL-UNNAMED", // as the agent opens it for itself
        "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED",
        "--enable-native-access=ALL-UNNAMED"}) // FFM, JDK 22+
public class HookBenchmark {

    @Param({"10", "10000"})
    public int rules;

    /** {@code jna} or {@code ffm} (Java 22+): how the pinned case makes its system calls. */
    @Param({"jna"})
    public String calls;

    /**
     * An open, never connected socket for noHook and unmatched: the hook reads its fd number before it matches (an
     * fd of -1, a socket not created yet, returns at once, which would measure nothing); unmatched makes no call.
     */
    private SocketChannel openSocket;
    private FileDescriptor openFd;
    private InetAddress unmatchedAddress;
    private InetAddress pinnedAddress;
    private InetAddress pinnedAddress6;

    /** A new unbound TCP socket for each call, opened and closed outside the measured time. */
    @State(Scope.Thread)
    public static class FreshSocket {
        SocketChannel channel;
        FileDescriptor fd;

        @Setup(Level.Invocation)
        public void open() throws Exception {
            channel = SocketChannel.open();
            fd = fdOf(channel);
        }

        static FileDescriptor fdOf(SocketChannel channel) throws ReflectiveOperationException {
            Field field = channel.getClass().getDeclaredField("fd");
            field.setAccessible(true);
            return (FileDescriptor) field.get(channel);
        }

        @TearDown(Level.Invocation)
        public void close() throws Exception {
            channel.close();
        }
    }

    /** One hook per benchmark (each runs in its own fork): installed once, as the agent does. */
    @Setup(Level.Trial)
    public void setUp(BenchmarkParams params) throws Exception {
        openSocket = SocketChannel.open();
        openFd = FreshSocket.fdOf(openSocket);
        SocketOptions sockets = PinCallBenchmark.sockets(calls);
        unmatchedAddress = InetAddress.getByAddress(new byte[] {(byte) 203, 0, 113, (byte) 200});
        pinnedAddress = InetAddress.getByAddress(new byte[] {(byte) 203, 0, 113, (byte) 253});
        pinnedAddress6 = InetAddress.getByName("2001:db8:1::fd");
        String benchmark = params.getBenchmark();
        if (benchmark.endsWith(".unmatched")) {
            RuleSet ruleSet = ConfigLoader.parse(RuleMatchBenchmark.hocon(rules), "bench.conf").rules();
            PinBridge.install(new Pinner(ruleSet, sockets, new ErrorReporter(), KernelVersion.running()));
        } else if (benchmark.endsWith(".pinnedFreshSocket")) {
            RuleSet lo = ConfigLoader.parse("ifpin.rules = [ { name = lo, cidrs = [\"203.0.113.252/30\"],"
                    + " interface = lo } ]", "lo.conf").rules();
            PinBridge.install(new Pinner(lo, sockets, new ErrorReporter(), KernelVersion.running()));
        } else if (benchmark.contains(".pinnedIpv")) {
            IfpinConfig lo = ConfigLoader.parse("ifpin.rules = [ { name = lo, cidrs = [\"203.0.113.252/30\","
                    + " \"2001:db8:1::/64\"], interface = lo } ]", "lo.conf");
            PinBridge.install(new Pinner(lo, sockets, new ErrorReporter(), KernelVersion.running(),
                    AsyncRouteChecker.start(new NoRoutes(), name -> "0"), new Metrics(), null,
                    CallerLookup.UNKNOWN));
        } else {
            PinBridge.install(null);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        openSocket.close();
    }

    @Benchmark
    public void noHook() throws Exception {
        PinBridge.beforeTcpConnect(openFd, unmatchedAddress, 443);
    }

    @Benchmark
    public void unmatched() throws Exception {
        PinBridge.beforeTcpConnect(openFd, unmatchedAddress, 443);
    }

    @Benchmark
    public void pinnedIpv4() throws Exception {
        PinBridge.beforeTcpConnect(openFd, pinnedAddress, 443);
    }

    @Benchmark
    public void pinnedIpv6() throws Exception {
        PinBridge.beforeTcpConnect(openFd, pinnedAddress6, 443);
    }

    /** Routes for the checker of the pinnedIpv cases: the interface exists, the route query fails (checked once). */
    static final class NoRoutes implements Routes {
        @Override
        public int interfaceIndex(String name) {
            return 1;
        }

        @Override
        public RouteAnswer routeGet(InetAddress destination, int ifIndex) throws ErrnoException {
            throw new ErrnoException("route get (benchmark)", 95);
        }

        @Override
        public List<Route> routes(int family) throws ErrnoException {
            throw new ErrnoException("route dump (benchmark)", 95);
        }

        @Override
        public Link link(int ifIndex) throws ErrnoException {
            throw new ErrnoException("link (benchmark)", 95);
        }

        @Override
        public List<String> addresses(int ifIndex) throws ErrnoException {
            throw new ErrnoException("addresses (benchmark)", 95);
        }
    }

    @Benchmark
    public void pinnedFreshSocket(FreshSocket socket) throws Exception {
        PinBridge.beforeTcpConnect(socket.fd, pinnedAddress, 443);
    }
}
