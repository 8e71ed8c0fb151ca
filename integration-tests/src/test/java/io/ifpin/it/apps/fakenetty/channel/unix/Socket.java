package io.ifpin.it.apps.fakenetty.channel.unix;

/**
 * A class with the name of Netty's native socket ({@code <prefix>.channel.unix.Socket}) but none of its shape: no
 * {@code FileDescriptor} superclass, no {@code connect(SocketAddress)}. Stands for a Netty version ifpin does not
 * know; the agent must say it is not covered instead of skipping it silently (NativeCoverageIT).
 */
public final class Socket {

    public boolean connect(String somewhere) {
        return somewhere != null;
    }
}
