package io.ifpin.dns;

import io.ifpin.bridge.NameHook;

import java.net.InetAddress;
import java.net.UnknownHostException;

/** The bridge's name-lookup hook: {@link NameResolution} behind the bootstrap interface (agent only, not the CLI). */
public final class NameLookupHook implements NameHook {

    private final NameResolution names;

    public NameLookupHook(NameResolution names) {
        this.names = names;
    }

    @Override
    public InetAddress[] lookup(String host) throws UnknownHostException {
        return names.lookup(host);
    }

    @Override
    public void hookFailed(Throwable failure) {
        names.hookFailed(failure);
    }
}
