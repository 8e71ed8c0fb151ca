package io.ifpin.dns;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.net.InetAddress;
import java.util.Map;
import java.util.Set;

/**
 * {@code InetAddress}'s private address cache (host to {@code NameServiceAddresses} while a lookup runs, then a
 * cached entry that {@code expirySet} orders by expiry) and {@code sun.net.InetAddressCachePolicy}, reached by
 * reflection: {@code AgentInstaller.openJavaBase} opens {@code java.net} and exports {@code sun.net} to ifpin. The same
 * fields on JDK 17 and 25.
 */
final class JdkAddressCache implements ShortTtlExpiry.AddressCache {

    private final Map<String, Object> cache;
    private final Set<Object> expirySet;
    private final Method policy;

    private JdkAddressCache(Map<String, Object> cache, Set<Object> expirySet, Method policy) {
        this.cache = cache;
        this.expirySet = expirySet;
        this.policy = policy;
    }

    @SuppressWarnings("unchecked")
    static JdkAddressCache open() throws ReflectiveOperationException {
        Field cache = InetAddress.class.getDeclaredField("cache");
        Field expirySet = InetAddress.class.getDeclaredField("expirySet");
        cache.setAccessible(true);
        expirySet.setAccessible(true);
        Method policy = Class.forName("sun.net.InetAddressCachePolicy").getMethod("get");
        JdkAddressCache opened = new JdkAddressCache((Map<String, Object>) cache.get(null),
                (Set<Object>) expirySet.get(null), policy);
        opened.positivePolicySeconds(); // fails here, not at the first answer
        return opened;
    }

    @Override
    public int positivePolicySeconds() {
        try {
            return (Integer) policy.invoke(null);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public ShortTtlExpiry.Eviction evict(String host) {
        Object entry = cache.get(host);
        if (entry == null) {
            return ShortTtlExpiry.Eviction.ABSENT;
        }
        if (entry.getClass().getSimpleName().equals("NameServiceAddresses")) {
            return ShortTtlExpiry.Eviction.IN_PROGRESS;
        }
        if (!cache.remove(host, entry)) {
            return ShortTtlExpiry.Eviction.ABSENT; // replaced meanwhile: a newer answer with its own expiry
        }
        expirySet.remove(entry); // else it would wait there until its JDK expiry, harmless but kept
        return ShortTtlExpiry.Eviction.REMOVED;
    }

    /** Whether the JDK has an answer (or a lookup in progress) for {@code host}; for tests. */
    boolean holds(String host) {
        return cache.containsKey(host);
    }
}
