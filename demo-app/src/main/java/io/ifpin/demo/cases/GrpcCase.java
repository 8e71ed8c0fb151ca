package io.ifpin.demo.cases;

import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * gRPC 1.x with {@code grpc-netty-shaded}: its own copy of Netty under {@code io.grpc.netty.shaded.io.netty}, on the
 * native epoll transport when available (it is on Linux x86_64). A unary call without generated code: the method
 * is described by hand with a string marshaller.
 */
public final class GrpcCase implements SocketCase {

    /** {@code ifpin.Peer/Who}: request ignored, response "PEER ip port". Also used by PeerServer. */
    public static final MethodDescriptor<String, String> WHO = MethodDescriptor.<String, String>newBuilder()
            .setType(MethodDescriptor.MethodType.UNARY)
            .setFullMethodName("ifpin.Peer/Who")
            .setRequestMarshaller(new Utf8())
            .setResponseMarshaller(new Utf8())
            .build();

    @Override
    public String name() {
        return "grpc-netty-shaded";
    }

    @Override
    public String protocol() {
        return "tcp";
    }

    @Override
    public String run(String host) throws Exception {
        ManagedChannel channel = NettyChannelBuilder.forAddress(host, Ports.GRPC).usePlaintext().build();
        try {
            return Replies.parsePeer(ClientCalls.blockingUnaryCall(channel, WHO,
                    CallOptions.DEFAULT.withDeadlineAfter(Ports.IO_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS), "who am I?"));
        } finally {
            channel.shutdownNow().awaitTermination(1, TimeUnit.SECONDS);
        }
    }

    /** Strings as UTF-8 bytes: enough for a unary call without protobuf. */
    static final class Utf8 implements MethodDescriptor.Marshaller<String> {
        @Override
        public InputStream stream(String value) {
            return new ByteArrayInputStream(value.getBytes(StandardCharsets.UTF_8));
        }

        @Override
        public String parse(InputStream stream) {
            try {
                return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
