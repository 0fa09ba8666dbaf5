// The REST API as the page uses it: the bearer token (asked for once when the server wants one) and errors
// carrying the API's own code and message.
let token = new URLSearchParams(location.search).get("token") || localStorage.getItem("prometheusToken") || "";

export const currentToken = () => token;

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

export async function request(method, url, body, {version, asked = false} = {}) {
  const headers = {};
  if (token) headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (version !== undefined && version !== null) headers["If-Match"] = `"${version}"`;
  const sent = token;
  const r = await fetch(url, {method, headers, body: body === undefined ? undefined : JSON.stringify(body)});
  if (r.status === 401 && !asked) { // the server wants a token: ask once (not again for the calls under way)
    if (token === sent) {
      token = window.prompt("Prometheus API token") || "";
      localStorage.setItem("prometheusToken", token);
    }
    return request(method, url, body, {version, asked: true});
  }
  const payload = await r.json().catch(() => ({}));
  if (!r.ok) throw new ApiError(r.status, payload.error_code || `HTTP_${r.status}`, payload.message || r.statusText);
  return payload.data;
}

export const get = (url) => request("GET", url);
