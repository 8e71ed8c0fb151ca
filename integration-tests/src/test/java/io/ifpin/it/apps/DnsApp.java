package io.ifpin.it.apps;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Name lookups the ordinary way, for DnsIT. Arguments are steps:
 * {@code lookup NAME} prints {@code LOOKUP NAME OK [addresses]} or {@code LOOKUP NAME FAILED <exception>};
 * {@code socket NAME PORT} connects a {@code Socket} by name ({@code SOCKET NAME OK <remote>} / FAILED);
 * {@code http NAME PORT} sends a GET with {@code java.net.http} ({@code HTTP NAME <status>} / FAILED);
 * {@code url NAME PORT} the same with {@code HttpURLConnection} ({@code URL NAME <status>} / FAILED);
 * {@code sleep MILLIS}; {@code copy FROM TO} replaces TO by FROM's text (a rename, as editors do);
 * {@code await NAME ADDRESS} looks NAME up every 200 ms, 150 times at most, until ADDRESS is among its addresses
 * ({@code AWAIT NAME OK [addresses]} or {@code AWAIT NAME GAVE-UP [last addresses]}).
 */
public final class DnsApp {

    public static void main(String[] args) {
        for (int i = 0; i < args.length; ) {
            String step = args[i++];
            String name = args[i++];
            try {
                switch (step) {
                    case "lookup" -> {
                        List<String> addresses = new ArrayList<>();
                        for (InetAddress address : InetAddress.getAllByName(name)) {
                            addresses.add(address.getHostAddress());
                        }
                        System.out.println("LOOKUP " + name + " OK " + addresses);
                    }
                    case "socket" -> {
                        int port = Integer.parseInt(args[i++]);
                        try (Socket socket = new Socket()) {
                            socket.connect(new InetSocketAddress(name, port), 5000);
                            System.out.println("SOCKET " + name + " OK " + socket.getInetAddress().getHostAddress());
                        }
                    }
                    case "http" -> {
                        int port = Integer.parseInt(args[i++]);
                        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
                        HttpResponse<String> response = client.send(HttpRequest.newBuilder(
                                        URI.create("http://" + name + ":" + port + "/")).timeout(Duration.ofSeconds(10))
                                .build(), HttpResponse.BodyHandlers.ofString());
                        System.out.println("HTTP " + name + " " + response.statusCode());
                    }
                    case "url" -> {
                        int port = Integer.parseInt(args[i++]);
                        java.net.HttpURLConnection connection = (java.net.HttpURLConnection)
                                URI.create("http://" + name + ":" + port + "/").toURL().openConnection();
                        connection.setConnectTimeout(5000);
                        connection.setReadTimeout(10000);
                        System.out.println("URL " + name + " " + connection.getResponseCode());
                        connection.disconnect();
                    }
                    case "sleep" -> Thread.sleep(Long.parseLong(name));
                    case "copy" -> {
                        java.nio.file.Path to = java.nio.file.Path.of(args[i++]);
                        java.nio.file.Path temporary = to.resolveSibling(to.getFileName() + ".new");
                        java.nio.file.Files.copy(java.nio.file.Path.of(name), temporary,
                                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                        java.nio.file.Files.move(temporary, to, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
                    }
                    case "await" -> {
                        String wanted = args[i++];
                        List<String> addresses = List.of();
                        for (int attempt = 0; attempt < 150 && !addresses.contains(wanted); attempt++) {
                            Thread.sleep(attempt == 0 ? 0 : 200);
                            addresses = new ArrayList<>();
                            try {
                                for (InetAddress address : InetAddress.getAllByName(name)) {
                                    addresses.add(address.getHostAddress());
                                }
                            } catch (java.net.UnknownHostException e) {
                                addresses = List.of(e.toString());
                            }
                        }
                        System.out.println("AWAIT " + name + (addresses.contains(wanted) ? " OK " : " GAVE-UP ")
                                + addresses);
                    }
                    default -> throw new IllegalArgumentException(step);
                }
            } catch (Exception e) {
                System.out.println(step.toUpperCase() + " " + name + " FAILED " + e);
            }
        }
    }
}
