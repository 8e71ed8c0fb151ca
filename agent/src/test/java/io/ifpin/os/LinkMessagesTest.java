package io.ifpin.os;

import io.ifpin.os.LinkMessages.Link;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Issue 15: link notifications and a link dump, as a kernel sent them (link-events.txt), parsed. */
public class LinkMessagesTest {

    /** The recorded datagrams, in order, and the dump's sequence number. */
    public record Recording(int dumpSequence, List<byte[]> datagrams) {
        public static Recording read() throws IOException {
            List<byte[]> datagrams = new ArrayList<>();
            int seq = -1;
            try (InputStream in = LinkMessagesTest.class.getResourceAsStream("link-events.txt")) {
                for (String line : new String(in.readAllBytes(), StandardCharsets.US_ASCII).split("\n")) {
                    if (line.startsWith("DUMPSEQ ")) {
                        seq = Integer.parseInt(line.substring(8));
                    } else if (line.startsWith("RECV ")) {
                        datagrams.add(HexFormat.of().parseHex(line.substring(5)));
                    }
                }
            }
            return new Recording(seq, datagrams);
        }

        /** Parses datagram {@code i}; the links it holds. */
        public List<Link> links(int i) {
            List<Link> links = new ArrayList<>();
            byte[] datagram = datagrams.get(i);
            LinkMessages.parse(datagram, datagram.length, dumpSequence, links);
            return links;
        }
    }

    @Test
    void theDumpEndsWithItsDone() throws Exception {
        Recording recording = Recording.read();
        byte[] first = recording.datagrams().get(0);
        List<Link> links = new ArrayList<>();
        assertFalse(LinkMessages.parse(first, first.length, recording.dumpSequence(), links));
        assertEquals(List.of(new Link(false, 1, "lo", 0x8, "DOWN")), links);
        byte[] done = recording.datagrams().get(1);
        assertTrue(LinkMessages.parse(done, done.length, recording.dumpSequence(), links));
        assertFalse(LinkMessages.parse(done, done.length, recording.dumpSequence() + 1, links), "another request's");
    }

    @Test
    void aLinkIsUsableWhenUpRunningAndWithCarrier() throws Exception {
        Recording recording = Recording.read();
        Link created = recording.links(3).get(0);
        assertEquals(new Link(false, 3, "c0", 0x1002, "DOWN"), created);
        assertFalse(created.usable());
        assertEquals("down", created.state());
        Link upWithoutCarrier = recording.links(4).get(0);
        assertEquals(new Link(false, 3, "c0", 0x1003, "LOWERLAYERDOWN"), upWithoutCarrier);
        assertFalse(upWithoutCarrier.usable());
        assertEquals("up without carrier (LOWERLAYERDOWN)", upWithoutCarrier.state());
        Link up = recording.links(7).get(0);
        assertEquals(new Link(false, 3, "c0", 0x11043, "UP"), up);
        assertTrue(up.usable());
        Link down = recording.links(8).get(0);
        assertFalse(down.usable());
        assertEquals("down", down.state());
        Link deleted = recording.links(11).get(0);
        assertEquals(new Link(true, 3, "c0", 0x1002, "DOWN"), deleted);
        assertFalse(deleted.usable());
        assertEquals("gone", deleted.state());
    }

    @Test
    void aTruncatedDatagramYieldsNothingPastTheCut() throws Exception {
        byte[] up = Recording.read().datagrams().get(7);
        List<Link> links = new ArrayList<>();
        assertFalse(LinkMessages.parse(up, up.length - 1, 0, links));
        assertEquals(List.of(), links);
        assertFalse(LinkMessages.parse(up, 10, 0, links));
        assertEquals(List.of(), links);
    }

    @Test
    void severalMessagesInOneDatagramAreReadInOrder() throws Exception {
        Recording recording = Recording.read();
        byte[] a = recording.datagrams().get(7);
        byte[] b = recording.datagrams().get(8);
        int padded = (a.length + 3) & ~3;
        byte[] both = new byte[padded + b.length];
        System.arraycopy(a, 0, both, 0, a.length);
        System.arraycopy(b, 0, both, padded, b.length);
        List<Link> links = new ArrayList<>();
        LinkMessages.parse(both, both.length, 0, links);
        assertEquals(2, links.size());
        assertTrue(links.get(0).usable());
        assertFalse(links.get(1).usable());
    }
}
