package io.ifpin.bench;

import io.ifpin.bridge.PinBridge;
import io.ifpin.config.ConfigLoader;
import io.ifpin.config.IfpinConfig;
import io.ifpin.diag.AsyncRouteChecker;
import io.ifpin.link.LinkMonitor;
import io.ifpin.metrics.Metrics;
import io.ifpin.os.NetlinkRoutes;
import io.ifpin.os.SocketOptions;
import io.ifpin.pin.ErrorReporter;
import io.ifpin.pin.KernelVersion;
import io.ifpin.pin.Pinner;
import io.ifpin.rules.CallerLookup;
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

import java.io.FileDescriptor;
import java.net.InetAddress;
import java.nio.channels.SocketChannel;
import java.util.concurrent.TimeUnit;

/**
 * Issue 15: the pinned path of a rule with a list of interfaces costs what a rule with one interface costs.
 * {@link HookBenchmark#pinnedIpv4}'s measurement (one socket, {@code SO_BINDTODEVICE} to {@code lo} set again each
 * time, root) through {@code PinBridge.beforeTcpConnect}, for {@code interface = lo} ({@code list=single}),
 * {@code ["lo", "nosuch0"]} ({@code list=first}: the first is up) and {@code ["nosuch0", "lo"]} ({@code list=fallback}:
 * the second is used). The list cases run the real link monitor (its thread and rtnetlink socket), which has chosen
 * {@code lo} before the measurement starts. Linux only; no traffic.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms512m", "-Xmx512m",
        "--add-opens", "java.base/java.io=ALL-UNNAMED",
        "--add-opens", "java.base/java.net=ALL-UNNAMED",
        "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED",
        "--enable-native-access=ALL-UNNAMED"})
public class InterfaceListBenchmark {

    @Param({"single", "first", "fallback"})
    public String list;

    @Param({"jna"})
    public String calls;

    private SocketChannel socket;
    private FileDescriptor fd;
    private InetAddress destination;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        socket = SocketChannel.open();
        fd = HookBenchmark.FreshSocket.fdOf(socket);
        destination = InetAddress.getByAddress(new byte[] {(byte) 203, 0, 113, (byte) 253});
        String interfaces = switch (list) {
            case "single" -> "lo";
            case "first" -> "[lo, nosuch0]";
            case "fallback" -> "[nosuch0, lo]";
            default -> throw new IllegalArgumentException("list=" + list + ": single, first or fallback");
        };
        IfpinConfig config = ConfigLoader.parse("ifpin.rules = [ { name = lo, cidrs = [\"203.0.113.252/30\"],"
                + " interface = " + interfaces + " } ]", "lo.conf");
        SocketOptions sockets = PinCallBenchmark.sockets(calls);
        NetlinkRoutes netlink = NetlinkRoutes.load();
        LinkMonitor links = new LinkMonitor(netlink::linkEvents);
        PinBridge.install(new Pinner(config, sockets, new ErrorReporter(), KernelVersion.running(),
                AsyncRouteChecker.start(new HookBenchmark.NoRoutes(), name -> "0"), new Metrics(), null,
                CallerLookup.UNKNOWN, links));
        for (int i = 0; i < 200 && !list.equals("single") && !links.describe().contains("using lo,"); i++) {
            Thread.sleep(10);
        }
        if (!list.equals("single") && !links.describe().contains("using lo,")) {
            throw new IllegalStateException("the link monitor did not choose lo: " + links.describe());
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        socket.close();
    }

    @Benchmark
    public void pinnedIpv4() throws Exception {
        PinBridge.beforeTcpConnect(fd, destination, 443);
    }
}
