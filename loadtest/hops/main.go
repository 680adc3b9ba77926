// Command hops runs the processes the side-by-side load test (loadtest/side-by-side.sh) puts beside toolgate:
//
//	hops upstream -listen ADDR
//	    a bare tool: POST /deployments answers 202 with a small JSON document, and an MCP server (Streamable HTTP,
//	    JSON answers) at /mcp with one tool, search_docs. It does nothing else, so that every row of the table measures
//	    what sits in front of it.
//	hops opa-proxy -listen ADDR -opa URL -upstream URL -key KEY
//	    OPA as a sidecar, the usual alternative to toolgate: for every POST /tools/deploy/deployments it checks the
//	    bearer key, builds the policy input toolgate would build for the call (policies/README.md), asks
//	    `opa run --server` for toolgate/decision over HTTP, and forwards the body to the upstream when it is allowed.
//	hops opa-input
//	    prints {"input": ...} for the load test's deploy call, as the proxy sends it, to drive OPA directly.
//
// Only the Go standard library: it builds offline.
package main

import (
	"bytes"
	"crypto/subtle"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

func main() {
	if len(os.Args) < 2 {
		usage()
	}
	switch os.Args[1] {
	case "upstream":
		fs := flag.NewFlagSet("upstream", flag.ExitOnError)
		listen := fs.String("listen", "127.0.0.1:0", "address to listen on")
		_ = fs.Parse(os.Args[2:])
		serve(*listen, newUpstream())
	case "opa-proxy":
		fs := flag.NewFlagSet("opa-proxy", flag.ExitOnError)
		listen := fs.String("listen", "127.0.0.1:0", "address to listen on")
		opa := fs.String("opa", "http://127.0.0.1:8181", "base URL of opa run --server")
		upstream := fs.String("upstream", "", "base URL of the deploy tool")
		key := fs.String("key", "", "the one bearer key the proxy accepts (the release-bot's)")
		_ = fs.Parse(os.Args[2:])
		if *upstream == "" || *key == "" {
			usage()
		}
		serve(*listen, newOpaProxy(*opa, *upstream, *key))
	case "opa-input":
		var args map[string]any
		_ = json.Unmarshal([]byte(deployBody), &args)
		out, _ := json.Marshal(map[string]any{"input": policyInput(args, "load", time.Now().UTC())})
		fmt.Println(string(out))
	default:
		usage()
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: hops upstream -listen ADDR | hops opa-proxy -listen ADDR -opa URL -upstream URL -key KEY | hops opa-input")
	os.Exit(2)
}

// serve listens, prints "listening on ADDR" once it does (the load test waits for that line), and serves forever.
func serve(addr string, handler http.Handler) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("listening on %s\n", ln.Addr())
	server := &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second}
	log.Fatal(server.Serve(ln))
}

// --- the bare upstream -----------------------------------------------------------------------------------------

type upstream struct {
	deployments atomic.Int64
	sessions    sync.Map
}

func newUpstream() *upstream { return &upstream{} }

func (u *upstream) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.Method == http.MethodPost && r.URL.Path == "/deployments":
		var body struct {
			Service     string `json:"service"`
			Environment string `json:"environment"`
		}
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
			writeJSON(w, http.StatusBadRequest, map[string]any{"error": "not JSON"})
			return
		}
		writeJSON(w, http.StatusAccepted, map[string]any{"id": fmt.Sprintf("dep_%d", u.deployments.Add(1)),
			"service": body.Service, "environment": body.Environment, "status": "queued"})
	case r.URL.Path == "/mcp":
		u.mcp(w, r)
	default:
		http.NotFound(w, r)
	}
}

type rpcMessage struct {
	ID     json.RawMessage `json:"id,omitempty"`
	Method string          `json:"method"`
	Params struct {
		Name      string         `json:"name"`
		Arguments map[string]any `json:"arguments"`
	} `json:"params"`
}

func (u *upstream) mcp(w http.ResponseWriter, r *http.Request) {
	session := r.Header.Get("Mcp-Session-Id")
	switch r.Method {
	case http.MethodPost:
	case http.MethodDelete:
		if _, ok := u.sessions.LoadAndDelete(session); ok {
			w.WriteHeader(http.StatusOK)
		} else {
			w.WriteHeader(http.StatusNotFound)
		}
		return
	default:
		w.Header().Set("Allow", "POST, DELETE")
		w.WriteHeader(http.StatusMethodNotAllowed)
		return
	}
	var m rpcMessage
	if err := json.NewDecoder(r.Body).Decode(&m); err != nil {
		rpcError(w, http.StatusBadRequest, nil, -32700, "not a JSON-RPC message")
		return
	}
	if m.Method == "" || len(m.ID) == 0 {
		w.WriteHeader(http.StatusAccepted) // a notification or a response
		return
	}
	if m.Method == "initialize" {
		opened := fmt.Sprintf("s-%d-%d", time.Now().UnixNano(), u.deployments.Add(1))
		u.sessions.Store(opened, true)
		w.Header().Set("Mcp-Session-Id", opened)
		rpcResult(w, m.ID, map[string]any{"protocolVersion": "2025-06-18",
			"capabilities": map[string]any{"tools": map[string]any{}},
			"serverInfo":   map[string]any{"name": "loadtest-upstream", "version": "1.0.0"}})
		return
	}
	if _, ok := u.sessions.Load(session); !ok {
		status := http.StatusNotFound
		if session == "" {
			status = http.StatusBadRequest
		}
		rpcError(w, status, m.ID, -32001, "unknown session")
		return
	}
	switch m.Method {
	case "ping":
		rpcResult(w, m.ID, map[string]any{})
	case "tools/list":
		rpcResult(w, m.ID, map[string]any{"tools": []any{map[string]any{
			"name": "search_docs", "description": "Search the documentation",
			"inputSchema": map[string]any{"type": "object", "required": []string{"query"},
				"properties": map[string]any{"query": map[string]any{"type": "string"}}}}}})
	case "tools/call":
		if m.Params.Name != "search_docs" {
			rpcError(w, http.StatusOK, m.ID, -32602, "unknown tool "+m.Params.Name)
			return
		}
		query, _ := m.Params.Arguments["query"].(string)
		rpcResult(w, m.ID, map[string]any{"content": []any{map[string]any{"type": "text",
			"text": fmt.Sprintf("3 documents match %q", query)}}})
	default:
		rpcError(w, http.StatusOK, m.ID, -32601, "method not found: "+m.Method)
	}
}

func rpcResult(w http.ResponseWriter, id json.RawMessage, result any) {
	writeJSON(w, http.StatusOK, map[string]any{"jsonrpc": "2.0", "id": id, "result": result})
}

func rpcError(w http.ResponseWriter, status int, id json.RawMessage, code int, message string) {
	writeJSON(w, status, map[string]any{"jsonrpc": "2.0", "id": id,
		"error": map[string]any{"code": code, "message": message}})
}

func writeJSON(w http.ResponseWriter, status int, body any) {
	encoded, _ := json.Marshal(body)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", fmt.Sprint(len(encoded)))
	w.WriteHeader(status)
	_, _ = w.Write(encoded)
}

// --- OPA as a sidecar ------------------------------------------------------------------------------------------

// The load test's deploy call, and the contract facts the proxy needs for it (loadtest/contract.yaml).
const deployBody = `{"service":"api","environment":"staging"}`

type opaProxy struct {
	decisionURL string
	upstreamURL string
	key         []byte
	client      *http.Client
}

func newOpaProxy(opa, upstream, key string) *opaProxy {
	transport := &http.Transport{MaxIdleConns: 256, MaxIdleConnsPerHost: 256, IdleConnTimeout: 90 * time.Second}
	return &opaProxy{decisionURL: strings.TrimSuffix(opa, "/") + "/v1/data/toolgate/decision",
		upstreamURL: strings.TrimSuffix(upstream, "/") + "/deployments", key: []byte("Bearer " + key),
		client: &http.Client{Transport: transport, Timeout: 10 * time.Second}}
}

func (p *opaProxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.URL.Path != "/tools/deploy/deployments" {
		writeJSON(w, http.StatusNotFound, map[string]any{"reason": "not_found"})
		return
	}
	if subtle.ConstantTimeCompare([]byte(r.Header.Get("Authorization")), p.key) != 1 {
		writeJSON(w, http.StatusUnauthorized, map[string]any{"reason": "unauthenticated"})
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	var args map[string]any
	if err == nil {
		err = json.Unmarshal(body, &args)
	}
	if err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]any{"reason": "invalid_arguments"})
		return
	}
	query, _ := json.Marshal(map[string]any{"input": policyInput(args, r.Header.Get("Toolgate-Run-Id"), time.Now().UTC())})
	answer, err := p.client.Post(p.decisionURL, "application/json", bytes.NewReader(query))
	if err != nil {
		writeJSON(w, http.StatusServiceUnavailable, map[string]any{"reason": "policy_unavailable"})
		return
	}
	var decided struct {
		Result struct {
			Allow   bool     `json:"allow"`
			Reasons []string `json:"reasons"`
		} `json:"result"`
	}
	err = json.NewDecoder(answer.Body).Decode(&decided)
	answer.Body.Close()
	if err != nil || answer.StatusCode != http.StatusOK {
		writeJSON(w, http.StatusServiceUnavailable, map[string]any{"reason": "policy_unavailable"})
		return
	}
	if !decided.Result.Allow {
		writeJSON(w, http.StatusForbidden, map[string]any{"reason": "policy_denied", "reasons": decided.Result.Reasons})
		return
	}
	forwarded, err := p.client.Post(p.upstreamURL, "application/json", bytes.NewReader(body))
	if err != nil {
		writeJSON(w, http.StatusBadGateway, map[string]any{"reason": "upstream_unavailable"})
		return
	}
	defer forwarded.Body.Close()
	w.Header().Set("Content-Type", forwarded.Header.Get("Content-Type"))
	w.WriteHeader(forwarded.StatusCode)
	_, _ = io.Copy(w, forwarded.Body)
}

// policyInput is the input document toolgate builds for the release-bot's deployments.create call
// (policies/README.md, "Input document"), with the agent and tool facts of loadtest/contract.yaml.
func policyInput(args map[string]any, runID string, now time.Time) map[string]any {
	return map[string]any{
		"principal": map[string]any{"agent": "release-bot", "tenant": "acme", "workflow": "release",
			"roles": []string{"release"}, "authenticated_by": "api_key"},
		"call": map[string]any{"protocol": "http", "tool": "deploy", "action": "deployments.create", "args": args,
			"run_id": runID, "mode": "enforce"},
		"tool": map[string]any{"risk": "high", "reversible": true, "data_classes": []string{}},
		"context": map[string]any{"environment": "loadtest",
			"change_window": map[string]any{"days": []string{"sat"}, "start": "02:00", "end": "04:00"},
			"time":          now.Format(time.RFC3339),
			"clock": map[string]any{"weekday": strings.ToLower(now.Weekday().String()[:3]),
				"time": now.Format("15:04")},
			"approval": map[string]any{"id": nil, "approvers": []any{}}},
		"usage": map[string]any{"run_spent_usd_micros": 0, "budgets": []any{}, "rate": []any{}},
	}
}
