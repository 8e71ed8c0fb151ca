package io.ifpin.it.apps.brokennetty.channel.unix;

/** Netty's descriptor class by name and shape, whose {@code intValue()} throws (NativeCoverageIT). */
public class FileDescriptor {

    public int intValue() {
        throw new IllegalStateException("intValue() fails on purpose (NativeCoverageIT)");
    }
}
