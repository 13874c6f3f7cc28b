/*
 * An ONNX model file, memory-mapped and parsed with our protobuf reader: the graph's nodes,
 * initializers, inputs and outputs (ModelProto.graph = field 7). Initializer data stays in the
 * mapping until asked for; close() unmaps the file.
 */
package dev.kanna.io.onnx;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

public final class OnnxModel implements AutoCloseable {

    private final Path file;
    private final Arena arena;
    private final long irVersion;
    private final String producer;
    private final Map<String, Long> opsets;
    private final List<OnnxNode> nodes;
    private final Map<String, OnnxTensor> initializers;
    private final List<String> inputs;
    private final List<String> outputs;

    private OnnxModel(Path file, Arena arena, long irVersion, String producer, Map<String, Long> opsets, Graph graph) {
        this.file = file;
        this.arena = arena;
        this.irVersion = irVersion;
        this.producer = producer;
        this.opsets = Collections.unmodifiableMap(opsets);
        this.nodes = List.copyOf(graph.nodes);
        this.initializers = Collections.unmodifiableMap(graph.initializers);
        this.inputs = List.copyOf(graph.inputs);
        this.outputs = List.copyOf(graph.outputs);
    }

    private static final class Graph {
        final List<OnnxNode> nodes = new ArrayList<>();
        final Map<String, OnnxTensor> initializers = new LinkedHashMap<>();
        final List<String> inputs = new ArrayList<>();
        final List<String> outputs = new ArrayList<>();
    }

    public static OnnxModel open(Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = channel.size();
            if (size == 0) throw new OnnxImportException(file, "empty file; expected an ONNX model");
            Arena arena = Arena.ofShared();
            try {
                MemorySegment data = channel.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
                return parse(file, arena, new ProtoReader(data, 0, size, file, "ModelProto"));
            } catch (RuntimeException | Error e) {
                arena.close();
                throw e;
            }
        }
    }

    /** ModelProto: ir_version (1), producer_name (2), graph (7), opset_import (8). */
    private static OnnxModel parse(Path file, Arena arena, ProtoReader r) {
        long irVersion = 0;
        String producer = "";
        Map<String, Long> opsets = new LinkedHashMap<>();
        Graph graph = null;
        while (r.hasMore()) {
            int tag = r.readTag();
            switch (ProtoReader.field(tag)) {
                case 1 -> irVersion = r.expect(tag, ProtoReader.VARINT).readVarint();
                case 2 -> producer = r.expect(tag, ProtoReader.LEN).readString();
                case 7 -> graph = parseGraph(r.expect(tag, ProtoReader.LEN).readMessage("GraphProto"), file);
                case 8 -> {
                    ProtoReader opset = r.expect(tag, ProtoReader.LEN).readMessage("OperatorSetIdProto");
                    String domain = "";
                    long version = 0;
                    while (opset.hasMore()) {
                        int t = opset.readTag();
                        switch (ProtoReader.field(t)) {
                            case 1 -> domain = opset.expect(t, ProtoReader.LEN).readString();
                            case 2 -> version = opset.expect(t, ProtoReader.VARINT).readVarint();
                            default -> opset.skip(ProtoReader.wireType(t));
                        }
                    }
                    opsets.put(domain, version);
                }
                default -> r.skip(ProtoReader.wireType(tag));
            }
        }
        if (graph == null) {
            throw new OnnxImportException(file, "no graph (ModelProto field 7); expected an ONNX model");
        }
        return new OnnxModel(file, arena, irVersion, producer, opsets, graph);
    }

    /** GraphProto: node (1), initializer (5), input (11), output (12). */
    private static Graph parseGraph(ProtoReader r, Path file) {
        Graph g = new Graph();
        while (r.hasMore()) {
            int tag = r.readTag();
            switch (ProtoReader.field(tag)) {
                case 1 -> g.nodes.add(OnnxNode.parse(r.expect(tag, ProtoReader.LEN).readMessage("NodeProto"), file));
                case 5 -> {
                    OnnxTensor t = OnnxTensor.parse(r.expect(tag, ProtoReader.LEN).readMessage("TensorProto"), file);
                    if (g.initializers.put(t.name, t) != null) {
                        throw new OnnxImportException(file, "two initializers are named '" + t.name + "'; expected unique names");
                    }
                }
                case 11 -> g.inputs.add(valueInfoName(r.expect(tag, ProtoReader.LEN).readMessage("ValueInfoProto")));
                case 12 -> g.outputs.add(valueInfoName(r.expect(tag, ProtoReader.LEN).readMessage("ValueInfoProto")));
                default -> r.skip(ProtoReader.wireType(tag));
            }
        }
        return g;
    }

    private static String valueInfoName(ProtoReader r) {
        String name = "";
        while (r.hasMore()) {
            int tag = r.readTag();
            if (ProtoReader.field(tag) == 1) name = r.expect(tag, ProtoReader.LEN).readString();
            else r.skip(ProtoReader.wireType(tag));
        }
        return name;
    }

    public Path file() { return file; }
    public long irVersion() { return irVersion; }
    public String producer() { return producer; }
    /** Opset version per domain ("" = the default ONNX domain). */
    public Map<String, Long> opsets() { return opsets; }
    public List<OnnxNode> nodes() { return nodes; }
    public Map<String, OnnxTensor> initializers() { return initializers; }
    public List<String> inputs() { return inputs; }
    public List<String> outputs() { return outputs; }

    @Override
    public void close() {
        if (arena.scope().isAlive()) arena.close();
    }
}
