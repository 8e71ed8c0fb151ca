package io.ifpin.it.apps.brokennetty.channel.unix;

import java.net.InetAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;

/**
 * Netty's native socket by name and shape ({@code <prefix>.channel.unix.Socket extends FileDescriptor}, every method
 * ifpin patches), so ifpin patches it; reading its descriptor throws. ifpin's inserted code must report that and let
 * each method run (NativeCoverageIT).
 */
public class Socket extends FileDescriptor {

    public boolean connect(SocketAddress remote) {
        return true;
    }

    public int sendTo(ByteBuffer buffer, int position, int limit, InetAddress address, int port, boolean fastOpen) {
        return limit - position;
    }

    public int sendToAddress(long memory, int position, int limit, InetAddress address, int port, boolean fastOpen) {
        return limit - position;
    }

    public int sendToAddresses(long memory, int length, InetAddress address, int port, boolean fastOpen) {
        return length;
    }

    public void listen(int backlog) {
    }
}
