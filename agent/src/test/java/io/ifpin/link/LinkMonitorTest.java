package io.ifpin.link;

import io.ifpin.config.ConfigLoader;
import io.ifpin.log.LogCapture;
import io.ifpin.os.LinkMessages.Link;
import io.ifpin.os.LinkMessagesTest.Recording;
import io.ifpin.rules.Rule;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

/** Issue 15: the interface in use follows the links, from the messages a kernel sent (LinkMessagesTest's recording). */
class LinkMonitorTest {

    private final LinkMonitor monitor = new LinkMonitor(() -> {
        throw new AssertionError("the test feeds the messages");
    }, false);
    private final Recording recording;
    private final List<Rule> rules;

    LinkMonitorTest() throws Exception {
        recording = Recording.read();
        rules = ConfigLoader.parse("ifpin.rules = [\n"
                + "{ name = corp, cidrs = [\"192.0.2.0/24\"], interface = [c0, sc0] },\n"
                + "{ name = plain, cidrs = [\"198.51.100.0/24\"], interface = c0 } ]", "t.conf").rules().rules();
    }

    private final Set<Integer> seen = new HashSet<>();

    private void dump() {
        monitor.apply(recording.links(0), seen, false);
        monitor.apply(recording.links(1), seen, true);
    }

    private void feed(int datagram) {
        monitor.apply(recording.links(datagram), null, false);
    }

    @Test
    void theChoiceFollowsTheLinksAndEachChangeIsLoggedOnce() {
        InterfaceChoice[] choices = monitor.choicesFor(rules);
        InterfaceChoice corp = choices[0];
        assertNull(choices[1], "one interface and no wait: no choice, today's path");
        assertEquals(InterfaceChoice.UNKNOWN, corp.inUse(), "before the dump");
        LogCapture log = LogCapture.start();
        dump();
        assertEquals(InterfaceChoice.NONE, corp.inUse());
        for (int i = 2; i <= 5; i++) {
            feed(i); // created, set up: no carrier yet
            assertEquals(InterfaceChoice.NONE, corp.inUse());
        }
        feed(6);
        assertEquals(1, corp.inUse());
        feed(7);
        assertEquals(0, corp.inUse());
        feed(8);
        assertEquals(1, corp.inUse());
        feed(9);
        assertEquals(InterfaceChoice.NONE, corp.inUse());
        assertEquals(List.of(
                "[ifpin] WARN rule 'corp': none of its interfaces is up (c0 is missing, sc0 is missing)",
                "[ifpin] INFO rule 'corp': sc0 is back, using sc0 (c0 is up without carrier (LOWERLAYERDOWN))",
                "[ifpin] INFO rule 'corp': c0 is back, using c0",
                "[ifpin] INFO rule 'corp': c0 is down, using sc0",
                "[ifpin] WARN rule 'corp': none of its interfaces is up (c0 is down, sc0 is up without carrier"
                        + " (LOWERLAYERDOWN))"), log.lines());
        assertEquals("corp: using none, pinned c0=0,sc0=0", monitor.describe());
    }

    @Test
    void aWaitingSocketWakesWhenAnInterfaceComesUp() throws Exception {
        InterfaceChoice corp = monitor.choicesFor(rules)[0];
        dump();
        CompletableFuture<Integer> waiting = CompletableFuture.supplyAsync(() -> corp.await(600_000));
        for (int i = 2; i <= 6; i++) {
            feed(i);
        }
        assertEquals(1, waiting.get(60, TimeUnit.SECONDS), "woken by sc0 coming up, long before its 600 s");
    }

    @Test
    void aWaitThatSeesNothingComeUpEndsWithNone() {
        InterfaceChoice corp = monitor.choicesFor(rules)[0];
        dump();
        assertEquals(InterfaceChoice.NONE, corp.await(50));
    }

    @Test
    void aDumpForgetsLinksDeletedWhileNotificationsWereLost() {
        InterfaceChoice corp = monitor.choicesFor(rules)[0];
        dump();
        for (int i = 2; i <= 7; i++) {
            feed(i);
        }
        assertEquals(0, corp.inUse());
        seen.clear();
        monitor.apply(recording.links(6), seen, false); // a new dump names sc0 only: c0 was deleted meanwhile
        monitor.apply(recording.links(1), seen, true);
        assertEquals(1, corp.inUse());
    }

    @Test
    void aRenamedLinkIsKnownByItsNewName() {
        InterfaceChoice corp = monitor.choicesFor(rules)[0];
        dump();
        for (int i = 2; i <= 7; i++) {
            feed(i);
        }
        Link c0 = recording.links(7).get(0);
        monitor.apply(List.of(new Link(false, c0.index(), "c0gone", c0.flags(), c0.operstate())), null, false);
        assertEquals(1, corp.inUse(), "sc0: c0 is gone by that name");
        monitor.apply(List.of(c0), null, false);
        assertEquals(0, corp.inUse(), "the same link back under its name, or a new index with it: used again");
    }

    @Test
    void aReloadKeepsTheChoiceOfAnUnchangedRuleAndDecidesANewOneAtOnce() throws Exception {
        InterfaceChoice corp = monitor.choicesFor(rules)[0];
        dump();
        for (int i = 2; i <= 7; i++) {
            feed(i);
        }
        List<Rule> reloaded = ConfigLoader.parse("ifpin.rules = [\n"
                + "{ name = corp, cidrs = [\"192.0.2.0/24\"], interface = [c0, sc0] },\n"
                + "{ name = other, cidrs = [\"198.51.100.0/24\"], interface = [nope, sc0] } ]", "t.conf")
                .rules().rules();
        InterfaceChoice[] after = monitor.choicesFor(reloaded);
        assertSame(corp, after[0]);
        assertEquals(1, after[1].inUse(), "decided from the links known, not at the next message");
    }

    @Test
    void withoutAMonitorTheFirstInterfaceIsUsedAndNothingWaits() {
        InterfaceChoice fixed = LinkMonitor.NONE.choicesFor(rules)[0];
        assertEquals(InterfaceChoice.UNKNOWN, fixed.inUse());
        assertEquals(InterfaceChoice.UNKNOWN, fixed.await(600_000));
        assertFalse(rules.get(1).followsLinks());
    }
}
