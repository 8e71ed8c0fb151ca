package io.ifpin.bench;

import io.ifpin.os.ErrnoException;
import io.ifpin.os.LinuxSocketsFfm;
import io.ifpin.os.LinuxSocketsJna;
import io.ifpin.os.SocketOptions;
import io.ifpin.pin.FileDescriptors;
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
import java.lang.reflect.Field;
import java.nio.channels.DatagramChannel;
import java.util.concurrent.TimeUnit;

/**
 * The native calls of a pin, {@code getsockopt(SO_BINDTODEVICE)}, {@code setsockopt(SO_BINDTODEVICE, "lo")}, and
 * both in a row, through the agent's own implementations: {@code calls=jna} is {@link LinuxSocketsJna} (JNA direct
 * mapping), {@code calls=ffm} is {@link LinuxSocketsFfm} (the Foreign Function API, Java 22+; bench/run.sh adds
 * {@code -p calls=jna,ffm} there).
 *
 * <p>Linux only; loopback only, no traffic. One unbound, unconnected {@link DatagramChannel} per iteration. Setting
 * the device again on a socket that is already bound needs CAP_NET_RAW (the kernel's rule for re-binding), so the
 * set benchmarks must run as root or with that capability; without it the setup fails with a message saying so.
 *
 * <p>The fd is read from the channel's private {@code fd} field (sun.nio.ch) and the {@link FileDescriptor}'s
 * private {@code fd} (java.io), hence the two {@code --add-opens} below; the agent does the latter itself through
 * {@code Instrumentation.redefineModule}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {
        "--add-opens", "java.base/java.io=ALL-UNNAMED",
        "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED",
        "--enable-native-access=ALL-UNNAMED"}) // JDK 22+; older JDKs ignore it with a warning
public class PinCallBenchmark {

    private static final String DEVICE = "lo";

    /** {@code jna} or {@code ffm}: which implementation makes the calls. */
    @Param({"jna"})
    public String calls;

    private SocketOptions sockets;
    private DatagramChannel channel;
    private int fd;

    @Setup(Level.Iteration)
    public void open() throws Exception {
        if (sockets == null) {
            sockets = sockets(calls);
        }
        channel = DatagramChannel.open();
        fd = fdOf(channel);
        try {
            sockets.bindToDevice(fd, DEVICE); // first set on an unbound socket: allowed without privileges
            sockets.bindToDevice(fd, DEVICE); // re-set: what setLo/getThenSetLo measure
        } catch (ErrnoException e) {
            throw new IllegalStateException("setsockopt(SO_BINDTODEVICE) on an already-bound socket failed (" + e
                    + "): the set benchmarks need CAP_NET_RAW; run bench/run.sh as root", e);
        }
    }

    @TearDown(Level.Iteration)
    public void close() throws Exception {
        channel.close();
    }

    @Benchmark
    public String getBoundDevice() throws ErrnoException {
        return sockets.boundDevice(fd);
    }

    @Benchmark
    public void setLo() throws ErrnoException {
        sockets.bindToDevice(fd, DEVICE);
    }

    @Benchmark
    public String getThenSetLo() throws ErrnoException {
        String current = sockets.boundDevice(fd);
        sockets.bindToDevice(fd, DEVICE);
        return current;
    }

    /** The agent's implementation named by the {@code calls} parameter. */
    static SocketOptions sockets(String calls) throws Exception {
        return switch (calls) {
            case "jna" -> LinuxSocketsJna.load();
            case "ffm" -> LinuxSocketsFfm.load(); // throws, saying why, before Java 22
            default -> throw new IllegalArgumentException("calls=" + calls + ": write jna or ffm");
        };
    }

    private static int fdOf(DatagramChannel channel) throws ReflectiveOperationException {
        Field field = channel.getClass().getDeclaredField("fd");
        field.setAccessible(true);
        int value = FileDescriptors.intValue((FileDescriptor) field.get(channel));
        if (value < 0) {
            throw new IllegalStateException("no fd for " + channel);
        }
        return value;
    }
}
