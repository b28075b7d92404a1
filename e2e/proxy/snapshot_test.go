package proxye2e

// The proxy's snapshot (proxy/config/snapshot.h, docs/snapshot.md) as Go
// values: JSON names are the camelCase spellings of the C++ members. Only
// what the tests set is here; omitted fields take the proxy's defaults.

type Snapshot struct {
	Version      string        `json:"version"`
	Listeners    []Listener    `json:"listeners"`
	VirtualHosts []VirtualHost `json:"virtualHosts"`
	Clusters     []Cluster     `json:"clusters"`
	Limits       *Limits       `json:"limits,omitempty"`
}

type Listener struct {
	Name    string `json:"name"`
	Address string `json:"address"`
	Port    int    `json:"port"`
	TLS     bool   `json:"tls"`
}

type TLSCertificate struct {
	Certificate string `json:"certificate"`
	PrivateKey  string `json:"privateKey"`
}

type VirtualHost struct {
	Name    string          `json:"name"`
	Domains []string        `json:"domains"`
	TLS     *TLSCertificate `json:"tls,omitempty"`
	Routes  []Route         `json:"routes"`
}

type PathMatch struct {
	Type  string `json:"type"` // Exact | PathPrefix | RegularExpression | Template
	Value string `json:"value"`
}

type ValueMatch struct {
	Name  string `json:"name"`
	Type  string `json:"type,omitempty"` // Exact | RegularExpression | Present
	Value string `json:"value,omitempty"`
}

type Match struct {
	Path        *PathMatch   `json:"path,omitempty"`
	Methods     []string     `json:"methods,omitempty"`
	Headers     []ValueMatch `json:"headers,omitempty"`
	QueryParams []ValueMatch `json:"queryParams,omitempty"`
	Version     string       `json:"version,omitempty"` // docs/versioning.md
}

type WeightedBackend struct {
	Cluster string `json:"cluster"`
	Weight  int    `json:"weight"`
}

type Redirect struct {
	Scheme     string `json:"scheme,omitempty"`
	Hostname   string `json:"hostname,omitempty"`
	Port       int    `json:"port,omitempty"`
	Path       string `json:"path,omitempty"`
	StatusCode int    `json:"statusCode,omitempty"`
}

type DirectResponse struct {
	Status      int    `json:"status"`
	Body        string `json:"body,omitempty"`
	ContentType string `json:"contentType,omitempty"`
}

type Rewrite struct {
	PathPrefix *string `json:"pathPrefix,omitempty"`
	FullPath   *string `json:"fullPath,omitempty"`
	Hostname   *string `json:"hostname,omitempty"`
}

type HeaderValue struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

type HeaderOps struct {
	Set    []HeaderValue `json:"set,omitempty"`
	Add    []HeaderValue `json:"add,omitempty"`
	Remove []string      `json:"remove,omitempty"`
}

type Timeouts struct {
	Request        string `json:"request,omitempty"`
	BackendRequest string `json:"backendRequest,omitempty"`
	Idle           string `json:"idle,omitempty"`
}

type Route struct {
	Name            string            `json:"name"`
	RouteName       string            `json:"routeName,omitempty"`
	RuleName        string            `json:"ruleName,omitempty"`
	Matches         []Match           `json:"matches"`
	Backends        []WeightedBackend `json:"backends,omitempty"`
	Redirect        *Redirect         `json:"redirect,omitempty"`
	DirectResponse  *DirectResponse   `json:"directResponse,omitempty"`
	Rewrite         *Rewrite          `json:"rewrite,omitempty"`
	RequestHeaders  *HeaderOps        `json:"requestHeaders,omitempty"`
	ResponseHeaders *HeaderOps        `json:"responseHeaders,omitempty"`
	Timeouts        *Timeouts         `json:"timeouts,omitempty"`
	Policies        *Policies         `json:"policies,omitempty"`
}

// Policies and their fields are spelled as in the APIRoute CRD
// (docs/snapshot.md, "Policies").
type Policies struct {
	Cors      *Cors      `json:"cors,omitempty"`
	Auth      *Auth      `json:"auth,omitempty"`
	RateLimit *RateLimit `json:"rateLimit,omitempty"`
	Cache     *Cache     `json:"cache,omitempty"`
	// Versioning is declared per APIRoute; the snapshot carries it per route.
	Versioning *Versioning `json:"versioning,omitempty"`

	// CircuitBreaker: circuit_breaker_test.go (docs/resilience.md).
	CircuitBreaker *CircuitBreaker `json:"circuitBreaker,omitempty"`
	// Retries: retries_test.go (docs/resilience.md).
	Retries *Retries `json:"retries,omitempty"`

	// Body mapping (docs/transform.md).
	RequestBody  *BodyMapping `json:"requestBody,omitempty"`
	ResponseBody *BodyMapping `json:"responseBody,omitempty"`

	Aggregate *Aggregate `json:"aggregate,omitempty"`
}

// BodyMapping is the snapshot's requestBody / responseBody policy.
type BodyMapping struct {
	Operations []BodyOperation `json:"operations"`
	MaxBytes   int             `json:"maxBytes,omitempty"`
	OnMismatch string          `json:"onMismatch,omitempty"` // Pass | Reject
}

type BodyOperation struct {
	Op    string `json:"op"` // Set | Remove | Move | Wrap
	Path  string `json:"path,omitempty"`
	From  string `json:"from,omitempty"`
	Key   string `json:"key,omitempty"`
	Value any    `json:"value,omitempty"`
}

// Cache is the snapshot's cache policy (docs/cache.md).
type Cache struct {
	TTL                     string   `json:"ttl"`
	VaryHeaders             []string `json:"varyHeaders,omitempty"`
	MaxBodyBytes            int64    `json:"maxBodyBytes,omitempty"`
	CacheAuthorizedRequests bool     `json:"cacheAuthorizedRequests,omitempty"`
	CacheSetCookie          bool     `json:"cacheSetCookie,omitempty"`
	StaleWhileRevalidate    string   `json:"staleWhileRevalidate,omitempty"`
	StaleIfError            string   `json:"staleIfError,omitempty"`
}

// RateLimit is the snapshot's rateLimit policy (docs/ratelimit.md).
type RateLimit struct {
	Requests int    `json:"requests"`
	Period   string `json:"period"`
	Burst    int    `json:"burst,omitempty"`
	Key      string `json:"key,omitempty"`
	Header   string `json:"header,omitempty"`
	Scope    string `json:"scope,omitempty"`
	Fallback string `json:"fallback,omitempty"`
	Headers  string `json:"headers,omitempty"`
}

// Auth is the snapshot's auth policy (docs/snapshot.md "auth").
type Auth struct {
	Jwt                 *JwtAuth             `json:"jwt,omitempty"`
	APIKey              *APIKeyAuth          `json:"apiKey,omitempty"`
	OAuth2Introspection *OAuth2Introspection `json:"oauth2Introspection,omitempty"`
}

// APIKeyAuth carries digests only: {id, sha256 of the key}.
type APIKeyAuth struct {
	Header string         `json:"header,omitempty"`
	Keys   []APIKeyDigest `json:"keys"`
}

type APIKeyDigest struct {
	ID     string `json:"id"`
	SHA256 string `json:"sha256"`
}

type OAuth2Introspection struct {
	Endpoint       string         `json:"endpoint"`
	ClientID       string         `json:"clientId"`
	ClientSecret   string         `json:"clientSecret"`
	RequiredScopes []string       `json:"requiredScopes,omitempty"`
	CacheTTL       string         `json:"cacheTtl,omitempty"`
	Audiences      []string       `json:"audiences,omitempty"`
	ForwardClaims  []ForwardClaim `json:"forwardClaims,omitempty"`
	StaleGrace     string         `json:"staleGracePeriod,omitempty"`
}

type JwtAuth struct {
	Issuer         string         `json:"issuer"`
	Audiences      []string       `json:"audiences"`
	JwksURI        string         `json:"jwksUri,omitempty"`
	Jwks           string         `json:"jwks,omitempty"`
	RequiredScopes []string       `json:"requiredScopes,omitempty"`
	ForwardClaims  []ForwardClaim `json:"forwardClaims,omitempty"`
	TokenSource    *TokenSource   `json:"tokenSource,omitempty"`
}

// TokenSource: exactly one field set; nil means Authorization: Bearer.
type TokenSource struct {
	Header         string `json:"header,omitempty"`
	Cookie         string `json:"cookie,omitempty"`
	QueryParameter string `json:"queryParameter,omitempty"`
}

type ForwardClaim struct {
	Claim  string `json:"claim"`
	Header string `json:"header"`
}

type Cors struct {
	AllowOrigins     []string `json:"allowOrigins"`
	AllowMethods     []string `json:"allowMethods,omitempty"`
	AllowHeaders     []string `json:"allowHeaders,omitempty"`
	ExposeHeaders    []string `json:"exposeHeaders,omitempty"`
	AllowCredentials bool     `json:"allowCredentials,omitempty"`
	MaxAge           string   `json:"maxAge,omitempty"`
}

type Endpoint struct {
	Address string `json:"address"`
	Port    int    `json:"port"`
}

type Cluster struct {
	Name           string        `json:"name"`
	Protocol       string        `json:"protocol,omitempty"` // HTTP | H2C | HTTPS
	Endpoints      []Endpoint    `json:"endpoints"`
	ConnectTimeout string        `json:"connectTimeout,omitempty"`
	TLSServerName  string        `json:"tlsServerName,omitempty"` // HTTPS: SNI and verified name
	TLSCa          string        `json:"tlsCa,omitempty"`         // HTTPS: extra trust anchors (PEM)
	LoadBalancer   *LoadBalancer `json:"loadBalancer,omitempty"`
	HealthCheck    *HealthCheck  `json:"healthCheck,omitempty"`
}

// HealthCheck is a cluster's active health check (docs/resilience.md).
type HealthCheck struct {
	Path               string `json:"path"`
	Interval           string `json:"interval,omitempty"`
	Timeout            string `json:"timeout,omitempty"`
	UnhealthyThreshold int    `json:"unhealthyThreshold,omitempty"`
	HealthyThreshold   int    `json:"healthyThreshold,omitempty"`
	Host               string `json:"host,omitempty"`
	ExpectedStatuses   []int  `json:"expectedStatuses,omitempty"`
}

type Limits struct {
	MaxHeaderBytes       int    `json:"maxHeaderBytes,omitempty"`
	MaxHeaderCount       int    `json:"maxHeaderCount,omitempty"`
	MaxConcurrentStreams int    `json:"maxConcurrentStreams,omitempty"`
	MaxRequestBodyBytes  int64  `json:"maxRequestBodyBytes,omitempty"`
	RequestTimeout       string `json:"requestTimeout,omitempty"`
	IdleTimeout          string `json:"idleTimeout,omitempty"`
	HeaderTimeout        string `json:"headerTimeout,omitempty"`
}

// Small constructors keep the tables in the tests readable.

func prefix(p string) *PathMatch { return &PathMatch{Type: "PathPrefix", Value: p} }
func exact(p string) *PathMatch  { return &PathMatch{Type: "Exact", Value: p} }
func regex(p string) *PathMatch  { return &PathMatch{Type: "RegularExpression", Value: p} }
func tmpl(p string) *PathMatch   { return &PathMatch{Type: "Template", Value: p} }
func str(s string) *string       { return &s }

// to routes every request matching m to cluster.
func to(name string, m Match, cluster string) Route {
	return Route{Name: name, RouteName: "e2e/" + name, RuleName: name,
		Matches: []Match{m}, Backends: []WeightedBackend{{Cluster: cluster, Weight: 1}}}
}

// clusterOf makes an HTTP/1.1 cluster with the backends' endpoints.
func clusterOf(name, protocol string, backends ...*Backend) Cluster {
	c := Cluster{Name: name, Protocol: protocol, Endpoints: []Endpoint{}}
	for _, b := range backends {
		c.Endpoints = append(c.Endpoints, Endpoint{Address: "127.0.0.1", Port: b.Port})
	}
	return c
}
