package io.ifpin.os;

import java.util.List;

/**
 * Stands in for {@link LinuxSocketsJna} when native access could not be loaded (not Linux, JNA's library cannot be
 * unpacked): every pin fails with {@code ENOSYS}, so the policy still applies. Deny rules refuse, fail-closed rules
 * refuse what they match, fail-open rules report the failure once and let the socket proceed, as for any error.
 */
public final class UnavailableSockets implements SocketOptions {

    @Override
    public String implementation() {
        return "unavailable";
    }

    @Override
    public String boundDevice(int fd) {
        return "";
    }

    @Override
    public void bindToDevice(int fd, String interfaceName) throws ErrnoException {
        throw new ErrnoException("setsockopt (ifpin's native access is unavailable)", Errno.ENOSYS);
    }

    @Override
    public String localAddress(int fd) {
        return "?";
    }

    @Override
    public List<String> interfaceNames() {
        return List.of();
    }
}
