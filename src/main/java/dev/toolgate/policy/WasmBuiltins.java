package dev.toolgate.policy;

import java.io.IOException;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import com.dylibso.chicory.runtime.ByteArrayMemory;
import com.dylibso.chicory.runtime.HostFunction;
import com.dylibso.chicory.runtime.ImportMemory;
import com.dylibso.chicory.runtime.ImportValues;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.wasm.Parser;
import com.dylibso.chicory.wasm.types.FunctionType;
import com.dylibso.chicory.wasm.types.MemoryLimits;
import com.dylibso.chicory.wasm.types.ValType;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.styra.opa.wasm.OpaBuiltin;
import com.styra.opa.wasm.builtins.Provided;

/**
 * Which builtins a compiled policy needs from its host. OPA compiles most builtins into the module; the rest (e.g.
 * {@code time.now_ns}, {@code http.send}) it imports, and the Java SDK provides only the {@code json.*} and
 * {@code yaml.*} ones. The SDK accepts a module that imports others and fails each evaluation that reaches one, so the
 * engine asks the module up front and refuses it at load instead.
 */
final class WasmBuiltins {

    private static final ObjectMapper JSON = new ObjectMapper();

    private WasmBuiltins() {
    }

    /** The names of the builtins the module imports from its host, sorted. */
    static Set<String> required(byte[] wasm) throws IOException {
        // a throwaway interpreted instance: its imports are never called by the two exports used here
        HostFunction abort = new HostFunction("env", "opa_abort", FunctionType.of(List.of(ValType.I32), List.of()),
                (instance, args) -> {
                    throw new IllegalStateException("the policy module aborted while listing its builtins");
                });
        ImportValues.Builder imports = ImportValues.builder()
                .addMemory(new ImportMemory("env", "memory", new ByteArrayMemory(new MemoryLimits(2))))
                .addFunction(abort)
                .addFunction(new HostFunction("env", "opa_println", FunctionType.of(List.of(ValType.I32), List.of()),
                        (instance, args) -> null));
        for (int arity = 0; arity <= 4; arity++) {
            ValType[] params = new ValType[arity + 2];
            java.util.Arrays.fill(params, ValType.I32);
            imports.addFunction(new HostFunction("env", "opa_builtin" + arity,
                    FunctionType.of(params, new ValType[] { ValType.I32 }), (instance, args) -> {
                        throw new IllegalStateException("no builtin is called while listing builtins");
                    }));
        }
        Instance instance = Instance.builder(Parser.parse(wasm)).withImportValues(imports.build()).build();
        int map = (int) instance.export("builtins").apply()[0];
        int text = (int) instance.export("opa_json_dump").apply(map)[0];
        Set<String> names = new TreeSet<>();
        JSON.readTree(instance.memory().readCString(text)).fieldNames().forEachRemaining(names::add);
        return names;
    }

    /** The builtins the Java SDK provides to a module. */
    static Set<String> provided() {
        Set<String> names = new TreeSet<>();
        for (OpaBuiltin.Builtin builtin : Provided.all()) {
            names.add(builtin.name());
        }
        return names;
    }
}
