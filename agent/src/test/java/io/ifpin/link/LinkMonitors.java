package io.ifpin.link;

import io.ifpin.os.LinkMessages.Link;

import java.util.HashSet;
import java.util.List;

/** For tests in other packages: a monitor without a thread, fed links by the test. */
public final class LinkMonitors {

    private LinkMonitors() {
    }

    public static LinkMonitor fedByTest() {
        return new LinkMonitor(() -> {
            throw new AssertionError("the test feeds the links");
        }, false);
    }

    /** A dump that finds exactly {@code links}. */
    public static void dump(LinkMonitor monitor, Link... links) {
        monitor.apply(List.of(links), new HashSet<>(), true);
    }

    /** Notifications. */
    public static void notify(LinkMonitor monitor, Link... links) {
        monitor.apply(List.of(links), null, false);
    }

    /** An up (and running, with carrier) link, or a down one. */
    public static Link link(int index, String name, boolean up) {
        return new Link(false, index, name, up ? 0x11043 : 0x1002, up ? "UP" : "DOWN");
    }
}
