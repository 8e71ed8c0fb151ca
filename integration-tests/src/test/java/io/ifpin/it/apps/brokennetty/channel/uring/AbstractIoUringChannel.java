package io.ifpin.it.apps.brokennetty.channel.uring;

import io.ifpin.it.apps.brokennetty.channel.unix.FileDescriptor;

import java.net.InetSocketAddress;

/** Netty io_uring's channel by name and shape, whose {@code fd()} throws (NativeCoverageIT). */
public class AbstractIoUringChannel {

    public FileDescriptor fd() {
        throw new IllegalStateException("fd() fails on purpose (NativeCoverageIT)");
    }

    public void submitConnect(InetSocketAddress remote) {
    }
}
