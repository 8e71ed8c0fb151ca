package io.ifpin.pin;

import io.ifpin.config.ConfigLoader;
import io.ifpin.config.IfpinConfig;
import io.ifpin.diag.AsyncRouteChecker;
import io.ifpin.metrics.Metrics;
import io.ifpin.rules.CallerLookup;
import io.ifpin.rules.Rule;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.FileDescriptor;
import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EarlyPinsTest {

    /** What the stub of {@code sun.nio.ch.Net.setIntOption0} was called with; it fails when {@link #fail} is set. */
    static final List<String> CALLS = new CopyOnWriteArrayList<>();
    static volatile boolean fail;

    static void setIntOption0(FileDescriptor fd, boolean mayNeedConversion, int level, int opt, int arg,
                              boolean isIPv6) throws IOException {
        CALLS.add(level + " " + opt + " " + arg);
        if (fail) {
            throw new IOException("Protocol not available");
        }
    }

    private static EarlyPins withStub(IfpinConfig config) throws Exception {
        CALLS.clear();
        fail = false;
        MethodHandle stub = MethodHandles.lookup().findStatic(EarlyPinsTest.class, "setIntOption0",
                MethodType.methodType(void.class, FileDescriptor.class, boolean.class, int.class, int.class, int.class,
                        boolean.class));
        return new EarlyPins(stub, config.rules().rules());
    }

    private static IfpinConfig config(String hocon) throws Exception {
        return ConfigLoader.parse(hocon, "test.conf");
    }

    private static final String PLAIN = "ifpin.rules = ["
            + " { name = to-lo, cidrs = [\"203.0.113.10/32\"], interface = lo },"
            + " { name = gone, cidrs = [\"203.0.113.30/32\"], interface = nosuch0 } ]";

    @Test
    void aPlainPinRuleMakesEarlyPinsPossible() throws Exception {
        assertTrue(EarlyPins.possible(config(PLAIN)));
        assertTrue(EarlyPins.qualifies(config(PLAIN).rules().rules().get(0)));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        // each is something only the real hook records or does, so every socket waits for it
        "ifpin { audit.file = \"/tmp/never-written.jsonl\","
            + " rules = [ { cidrs = [\"203.0.113.10/32\"], interface = lo } ] }",
        "ifpin { mode = observe, rules = [ { cidrs = [\"203.0.113.10/32\"], interface = lo } ] }",
        "ifpin.rules = [ { cidrs = [\"203.0.113.10/32\"], interface = lo, callers = [\"com.vendor.*\"] } ]",
        "ifpin { default-action = deny, rules = [ { cidrs = [\"203.0.113.10/32\"], interface = lo } ] }",
        "ifpin.rules = [ { cidrs = [\"203.0.113.10/32\"], interface = [lo, b0] } ]",
        "ifpin.rules = [ { cidrs = [\"203.0.113.10/32\"], interface = lo, wait-for-interface = 2s } ]",
        "ifpin.rules = [ { cidrs = [\"203.0.113.10/32\"], interface = lo, mark = 16 } ]",
        "ifpin.rules = [ { cidrs = [\"203.0.113.10/32\"], interface = lo, source = \"127.0.0.1\" } ]",
        "ifpin.rules = [ { cidrs = [\"203.0.113.10/32\"], action = deny } ]",
        "ifpin.rules = [ { cidrs = [\"203.0.113.10/32\"], source = \"127.0.0.1\" } ]"})
    void otherConfigsWaitForTheRealHook(String hocon) throws Exception {
        assertFalse(EarlyPins.possible(config(hocon)), hocon);
    }

    @Test
    void pinsByTheInterfacesIndexWithSoBindToIfIndex() throws Exception {
        IfpinConfig config = config(PLAIN);
        EarlyPins early = withStub(config);
        Rule toLo = config.rules().rules().get(0);
        assertTrue(early.pin(new FileDescriptor(), toLo, InetAddress.getByName("203.0.113.10"), 7000));
        // SOL_SOCKET 1, SO_BINDTOIFINDEX 62, lo's index in this namespace
        assertEquals(List.of("1 62 " + NetworkInterface.getByName("lo").getIndex()), CALLS);
    }

    @Test
    void aMissingInterfaceLeavesTheSocketToTheRealHook() throws Exception {
        IfpinConfig config = config(PLAIN);
        EarlyPins early = withStub(config);
        assertFalse(early.pin(new FileDescriptor(), config.rules().rules().get(1),
                InetAddress.getByName("203.0.113.30"), 7000));
        assertEquals(List.of(), CALLS, "no call for an interface that is not there");
        assertTrue(early.pin(new FileDescriptor(), config.rules().rules().get(0),
                InetAddress.getByName("203.0.113.10"), 7000),
                "a missing interface is not a failure of the call: others still pin early");
    }

    @Test
    void aFailedCallEndsEarlyPinningForEverySocket() throws Exception {
        IfpinConfig config = config(PLAIN);
        EarlyPins early = withStub(config);
        Rule toLo = config.rules().rules().get(0);
        fail = true; // a kernel before 5.0: ENOPROTOOPT
        assertFalse(early.pin(new FileDescriptor(), toLo, InetAddress.getByName("203.0.113.10"), 7000));
        fail = false;
        assertFalse(early.pin(new FileDescriptor(), toLo, InetAddress.getByName("203.0.113.10"), 7000));
        assertEquals(1, CALLS.size(), CALLS.toString());
    }

    @Test
    void aRuleOfAnotherConfigIsNotPinnedEarly() throws Exception {
        EarlyPins early = withStub(config(PLAIN));
        Rule sameIndexOtherConfig = config(PLAIN).rules().rules().get(0);
        assertFalse(early.pin(new FileDescriptor(), sameIndexOtherConfig, InetAddress.getByName("203.0.113.10"),
                7000));
        assertEquals(List.of(), CALLS);
    }

    @Test
    void theRealHookCountsWhatWasPinnedEarlyAndEarlyPinningEnds() throws Exception {
        IfpinConfig config = config(PLAIN);
        EarlyPins early = withStub(config);
        Rule toLo = config.rules().rules().get(0);
        for (int i = 0; i < 3; i++) {
            assertTrue(early.pin(new FileDescriptor(), toLo, InetAddress.getByName("203.0.113.10"), 7000));
        }
        Metrics metrics = new Metrics();
        Pinner pinner = new Pinner(config, new PinnerTest.FakeSockets(), new ErrorReporter(),
                new KernelVersion("6.1.0"), AsyncRouteChecker.DISABLED, metrics, null, CallerLookup.UNKNOWN);
        early.handOver(pinner);
        assertEquals(3, metrics.stats("to-lo").pinnedCount());
        assertFalse(early.pin(new FileDescriptor(), toLo, InetAddress.getByName("203.0.113.10"), 7000),
                "pinned early after the hand-over");
        assertEquals(3, metrics.stats("to-lo").pinnedCount());
    }
}
