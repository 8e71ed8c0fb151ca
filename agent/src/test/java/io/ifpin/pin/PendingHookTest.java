package io.ifpin.pin;

import io.ifpin.bridge.PinHook;
import io.ifpin.config.ConfigLoader;
import io.ifpin.log.LogCapture;
import io.ifpin.config.IfpinConfig;
import org.junit.jupiter.api.Test;

import java.io.FileDescriptor;
import java.net.InetAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PendingHookTest {

    /** Records what reaches the real hook. */
    static final class Recorder implements PinHook {
        final List<String> calls = new CopyOnWriteArrayList<>();

        @Override
        public void beforeTcpConnect(FileDescriptor fd, InetAddress address, int port) {
            calls.add("tcp " + address.getHostAddress() + ":" + port);
        }

        @Override
        public void beforeUdpSend(FileDescriptor fd, InetAddress address, int port) {
            calls.add("udp " + address.getHostAddress() + ":" + port);
        }

        @Override
        public void beforeNativeConnectOrSend(int fd, InetAddress address, int port) {
            calls.add("native " + address.getHostAddress() + ":" + port);
        }

        @Override
        public void beforeNativeSendBatch(int fd, Object[] packets, int offset, int count) {
            calls.add("batch " + count);
        }

        @Override
        public void beforeListen(FileDescriptor fd) {
            calls.add("listen");
        }

        @Override
        public void beforeNativeListen(int fd) {
            calls.add("native listen " + fd);
        }

        @Override
        public void hookFailed(Throwable failure) {
            calls.add("failed " + failure.getMessage());
        }
    }

    private static IfpinConfig rules() throws Exception {
        return ConfigLoader.parse("ifpin.rules = [ { name = to-b, cidrs = [\"203.0.113.10/32\"], interface = b0 } ]",
                "test.conf");
    }

    private static InetAddress ip(int last) throws Exception {
        return InetAddress.getByAddress(new byte[] {(byte) 203, 0, 113, (byte) last});
    }

    @Test
    void aSocketNoRuleMatchesDoesNotWait() throws Exception {
        PendingHook pending = new PendingHook(rules(), 60_000);
        long start = System.nanoTime();
        pending.beforeTcpConnect(new FileDescriptor(), ip(99), 7000);
        pending.beforeUdpSend(new FileDescriptor(), ip(99), 53);
        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(10), "waited for native init");
    }

    @Test
    void aMatchedSocketWaitsForTheRealHookAndIsPinnedByIt() throws Exception {
        PendingHook pending = new PendingHook(rules(), 60_000);
        Recorder real = new Recorder();
        CountDownLatch returned = new CountDownLatch(1);
        inBackground(returned, () -> pending.beforeTcpConnect(new FileDescriptor(), ip(10), 7000));
        assertFalse(returned.await(200, TimeUnit.MILLISECONDS), "a matched socket went ahead before ifpin was ready");
        pending.complete(real);
        assertTrue(returned.await(10, TimeUnit.SECONDS));
        assertEquals(List.of("tcp 203.0.113.10:7000"), real.calls);
        pending.beforeUdpSend(new FileDescriptor(), ip(10), 53); // after completion: straight through
        assertEquals(List.of("tcp 203.0.113.10:7000", "udp 203.0.113.10:53"), real.calls);
    }

    @Test
    void aPlainPinThatCannotBePinnedEarlyStillWaitsForTheRealHook() throws Exception {
        // ifpin-init's first step ends without early pins (here: fd -1 fails, or the JDK's method is not open to
        // this test): the socket must not go ahead, and must reach the real hook when it is ready.
        PendingHook pending = new PendingHook(rules(), 60_000);
        Recorder real = new Recorder();
        CountDownLatch returned = new CountDownLatch(1);
        inBackground(returned, () -> pending.beforeTcpConnect(new FileDescriptor(), ip(10), 7000));
        pending.pinEarly(rules());
        assertFalse(returned.await(200, TimeUnit.MILLISECONDS), "went ahead after ifpin-init's first step");
        pending.complete(real);
        assertTrue(returned.await(10, TimeUnit.SECONDS));
        assertEquals(List.of("tcp 203.0.113.10:7000"), real.calls);
    }

    @Test
    void nativeTransportsAndListenersAreHeldLikeTheJdkPaths() throws Exception {
        PendingHook pending = new PendingHook(ConfigLoader.parse("ifpin.rules = ["
                + "{ name = to-b, cidrs = [\"203.0.113.10/32\"], interface = b0 },"
                + "{ name = in, direction = inbound, ports = [8443], interface = b0 } ]", "test.conf"), 60_000);
        pending.beforeNativeConnectOrSend(5, ip(99), 7000); // no rule: straight through, nothing recorded
        Recorder real = new Recorder();
        CountDownLatch returned = new CountDownLatch(1);
        inBackground(returned, () -> {
            pending.beforeNativeConnectOrSend(5, ip(10), 7000);
            pending.beforeNativeSendBatch(6, new Object[0], 0, 0);
            pending.beforeNativeListen(7);
        });
        assertFalse(returned.await(200, TimeUnit.MILLISECONDS), "a native connect went ahead before ifpin was ready");
        pending.complete(real);
        assertTrue(returned.await(10, TimeUnit.SECONDS));
        assertEquals(List.of("native 203.0.113.10:7000", "batch 0", "native listen 7"), real.calls);
    }

    @Test
    void withDefaultActionDenyOrCallersRulesOrAnObservedAuditEverySocketWaits() throws Exception {
        for (String hocon : new String[] {
            "ifpin { default-action = deny, rules = [ { cidrs = [\"203.0.113.10/32\"], interface = b0 } ] }",
            "ifpin.rules = [ { cidrs = [\"203.0.113.10/32\"], interface = b0, callers = [\"com.vendor.*\"] } ]",
            // observe mode with an audit log: the startup sockets' decisions are what `learn` builds on
            "ifpin { mode = observe, audit.file = \"/tmp/never-written.jsonl\" }"}) {
            PendingHook pending = new PendingHook(ConfigLoader.parse(hocon, "test.conf"), 60_000);
            Recorder real = new Recorder();
            CountDownLatch returned = new CountDownLatch(1);
            // no rule's address
            inBackground(returned, () -> pending.beforeTcpConnect(new FileDescriptor(), ip(99), 7000));
            assertFalse(returned.await(200, TimeUnit.MILLISECONDS), "went ahead before ifpin was ready: " + hocon);
            pending.complete(real);
            assertTrue(returned.await(10, TimeUnit.SECONDS));
            assertEquals(List.of("tcp 203.0.113.99:7000"), real.calls, hocon);
        }
    }

    @Test
    void withoutNativeAccessMatchedSocketsProceedUnpinned() throws Exception {
        PendingHook pending = new PendingHook(rules(), 60_000);
        pending.complete(null);
        pending.beforeTcpConnect(new FileDescriptor(), ip(10), 7000); // returns: nothing to call
    }

    @Test
    void aTimeoutIsOneErrorAndTheSocketProceeds() throws Exception {
        PendingHook pending = new PendingHook(rules(), 50);
        LogCapture log = LogCapture.start();
        pending.beforeTcpConnect(new FileDescriptor(), ip(10), 7000);
        pending.beforeTcpConnect(new FileDescriptor(), ip(10), 7001);
        assertEquals(1, log.lines().size(), log.lines().toString());
        assertTrue(log.lines().get(0).startsWith("[ifpin] ERROR ifpin's native access was not ready 50 ms after"
                + " startup; sockets opened until it is proceed unpinned."), log.lines().get(0));
    }

    @Test
    void aSocketStillHeldWhenTheJvmExitsStaysHeldAndIsReportedOnce() throws Exception {
        PendingHook pending = new PendingHook(rules(), 60_000);
        LogCapture log = LogCapture.start();
        pending.reportHeldAtExit(40); // nothing held: nothing to say
        assertEquals(List.of(), log.lines());
        CountDownLatch returned = new CountDownLatch(1);
        Thread connecting = inBackground(returned, () -> pending.beforeTcpConnect(new FileDescriptor(), ip(10), 7000));
        for (int i = 0; i < 400 && connecting.getState() != Thread.State.TIMED_WAITING; i++) {
            Thread.sleep(10);
        }
        pending.reportHeldAtExit(50);
        assertEquals(List.of("[ifpin] WARN the JVM exits 50 ms after ifpin started, before ifpin was ready: 1 socket(s)"
                + " opened before then were held and are not let out unpinned (the rules could not be applied yet)."
                + " Fix: nothing, if the application meant to exit; else see docs/troubleshooting.md, \"the JVM"
                + " exits before ifpin was ready\"."), log.lines());
        assertEquals(1, returned.getCount(), "the report released the socket");
        pending.complete(new Recorder());
        assertTrue(returned.await(10, TimeUnit.SECONDS));
        LogCapture after = LogCapture.start();
        pending.reportHeldAtExit(60); // ready: nothing held any more
        assertEquals(List.of(), after.lines());
    }

    /** What a background thread does: a connect (or several) that may throw. */
    private interface Connect {
        void run() throws Exception;
    }

    /** Starts {@code connect} on a daemon thread that counts {@code returned} down when it returns. */
    private static Thread inBackground(CountDownLatch returned, Connect connect) {
        Thread connecting = new Thread(() -> {
            try {
                connect.run();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            returned.countDown();
        });
        connecting.setDaemon(true);
        connecting.start();
        return connecting;
    }
}
