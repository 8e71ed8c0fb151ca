package io.ifpin.core;

import io.ifpin.config.IfpinConfig;
import io.ifpin.rules.Rule;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/** What identifies a loaded config for operators: a short hash of the file's text, and its rule names. */
final class ConfigVersion {
    private ConfigVersion() {
    }

    /** The first 12 hex digits of the SHA-256 of {@code text}: {@code sha256sum ifpin.conf | cut -c1-12}. */
    static String of(byte[] text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text)).substring(0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    static List<String> ruleNames(IfpinConfig config) {
        List<String> names = new ArrayList<>();
        for (Rule rule : config.rules().rules()) {
            names.add(rule.name());
        }
        names.add(config.defaultRule().name());
        return names;
    }
}
