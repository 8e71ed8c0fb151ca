package io.ifpin.it.apps.fakenetty.channel.uring;

/**
 * Stands for Netty 4.1's incubator io_uring transport ({@code io.netty.incubator.channel.uring}), which ifpin does not
 * patch: loading it must produce a "not covered" ERROR (NativeCoverageIT).
 */
public abstract class AbstractIOUringChannel {
}
