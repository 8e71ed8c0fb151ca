package io.ifpin.core;

import io.ifpin.config.IfpinConfig;
import io.ifpin.rules.Action;
import io.ifpin.rules.Rule;

import java.util.List;

/**
 * When a config cannot act on any socket, now or later, and records nothing: then ifpin installs nothing at all
 * (no instrumentation, no native access, no thread, no MBean) and prints one line. Exactly when all of these hold:
 * <ul>
 * <li>{@code default-action = allow}, and every rule is {@code allow} (inbound rules too): no socket can be pinned,
 *     denied or refused, and {@code allow} never fails;</li>
 * <li>no {@code audit.file}: an audit log records every decision, including allowed sockets (in
 *     {@code ifpin.mode = observe} the audit log is the point);</li>
 * <li>{@code reload-interval = off}: a reload could bring rules that act;</li>
 * <li>no rules, or {@code metrics.jmx = false}: JMX counters of the operator's own {@code allow} rules are a reason
 *     to watch sockets. With no rules the MBean would only count the sockets ifpin leaves alone, under
 *     {@code (default)}; that alone is not worth instrumenting every JVM of a host for, so it is not registered.</li>
 * </ul>
 */
final class NothingToPin {

    private NothingToPin() {
    }

    static boolean applies(IfpinConfig config) {
        if (config.defaultRule().action() != Action.ALLOW || config.reloadInterval().isPresent()
                || config.audit().enabled()) {
            return false;
        }
        List<Rule> rules = config.rules().rules();
        for (Rule rule : rules) {
            if (rule.action() != Action.ALLOW) {
                return false;
            }
        }
        return rules.isEmpty() || !config.jmx();
    }
}
