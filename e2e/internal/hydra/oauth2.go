package hydra

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// ClientSpec is an OAuth2 client for the client-credentials grant.
type ClientSpec struct {
	Scopes   []string // the scopes it may ask for
	Audience []string // the audiences it may ask for
	// AccessTokenStrategy overrides the server's Strategy for this client's
	// tokens (Hydra ≥ 2.2): one server can issue JWT and opaque tokens.
	AccessTokenStrategy Strategy
}

// Client is a registered client and its secret (client_secret_basic).
type Client struct {
	ID, Secret string
}

// CreateClient registers a confidential client (POST /admin/clients).
func (s *Server) CreateClient(t testing.TB, spec ClientSpec) Client {
	t.Helper()
	body := map[string]any{
		"client_secret":              randomHex(24),
		"grant_types":                []string{"client_credentials"},
		"token_endpoint_auth_method": "client_secret_basic",
		"scope":                      strings.Join(spec.Scopes, " "),
		"audience":                   nonNil(spec.Audience),
	}
	if spec.AccessTokenStrategy != "" {
		body["access_token_strategy"] = string(spec.AccessTokenStrategy)
	}
	var out struct {
		ClientID     string `json:"client_id"`
		ClientSecret string `json:"client_secret"`
	}
	s.mustJSON(t, http.MethodPost, s.AdminURL()+"/admin/clients", body, http.StatusCreated, &out)
	return Client{ID: out.ClientID, Secret: out.ClientSecret}
}

// Token is a token endpoint response.
type Token struct {
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
	ExpiresIn   int    `json:"expires_in"`
	Scope       string `json:"scope"`
}

// Token gets an access token with the client-credentials grant, or fails
// the test.
func (s *Server) Token(t testing.TB, c Client, scopes, audience []string) Token {
	t.Helper()
	tok, err := s.TryToken(c, scopes, audience)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// TryToken is Token returning the error (a refused grant, Hydra down).
func (s *Server) TryToken(c Client, scopes, audience []string) (Token, error) {
	form := url.Values{"grant_type": {"client_credentials"}}
	if len(scopes) > 0 {
		form.Set("scope", strings.Join(scopes, " "))
	}
	if len(audience) > 0 {
		form.Set("audience", strings.Join(audience, " "))
	}
	var tok Token
	status, body, err := s.postForm(s.TokenURL(), form, &c)
	if err != nil {
		return tok, err
	}
	if status != http.StatusOK {
		return tok, fmt.Errorf("token: %d %s", status, body)
	}
	if err := json.Unmarshal(body, &tok); err != nil {
		return tok, fmt.Errorf("token: %v: %s", err, body)
	}
	return tok, nil
}

// Introspection is the part of an RFC 7662 answer the tests look at; Raw
// holds all of it.
type Introspection struct {
	Active   bool     `json:"active"`
	Scope    string   `json:"scope"`
	ClientID string   `json:"client_id"`
	Audience []string `json:"aud"`
	Exp      int64    `json:"exp"`
	Raw      map[string]any
}

// Introspect asks the admin port whether token is active.
func (s *Server) Introspect(t testing.TB, token string) Introspection {
	t.Helper()
	status, body, err := s.postForm(s.IntrospectionURL(), url.Values{"token": {token}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if status != http.StatusOK {
		t.Fatalf("introspect: %d %s", status, body)
	}
	var in Introspection
	if err := json.Unmarshal(body, &in); err != nil {
		t.Fatalf("introspect: %v: %s", err, body)
	}
	_ = json.Unmarshal(body, &in.Raw)
	return in
}

// Revoke revokes an access or refresh token of client c (RFC 7009).
func (s *Server) Revoke(t testing.TB, c Client, token string) {
	t.Helper()
	status, body, err := s.postForm(s.PublicURL()+"/oauth2/revoke", url.Values{"token": {token}}, &c)
	if err != nil {
		t.Fatal(err)
	}
	if status != http.StatusOK {
		t.Fatalf("revoke: %d %s", status, body)
	}
}

// postForm posts a form, with client_secret_basic credentials when c is set
// (form-encoded first, as RFC 6749 §2.3.1 says).
func (s *Server) postForm(target string, form url.Values, c *Client) (int, []byte, error) {
	req, err := http.NewRequest(http.MethodPost, target, strings.NewReader(form.Encode()))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if c != nil {
		req.SetBasicAuth(url.QueryEscape(c.ID), url.QueryEscape(c.Secret))
	}
	return s.do(req)
}

func (s *Server) mustJSON(t testing.TB, method, target string, in any, want int, out any) {
	t.Helper()
	if err := s.tryJSON(method, target, in, want, out); err != nil {
		t.Fatal(err)
	}
}

// tryJSON sends in as JSON and decodes the answer into out; an error when
// the call fails or answers another status than want.
func (s *Server) tryJSON(method, target string, in any, want int, out any) error {
	var rd io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, target, rd)
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	status, body, err := s.do(req)
	if err != nil {
		return err
	}
	if status != want {
		return &statusError{fmt.Sprintf("%s %s: %d %s, want %d", method, target, status, body, want)}
	}
	if out != nil {
		if err := json.Unmarshal(body, out); err != nil {
			return fmt.Errorf("%s %s: %v: %s", method, target, err, body)
		}
	}
	return nil
}

func (s *Server) do(req *http.Request) (int, []byte, error) {
	resp, err := s.client.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	return resp.StatusCode, body, err
}

// statusError is an answer with an unexpected status (as opposed to no
// answer at all).
type statusError struct{ msg string }

func (e *statusError) Error() string { return e.msg }

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
