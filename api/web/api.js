// The HTTP API as the explorer uses it: the token lives in sessionStorage (this tab only).

const TOKEN_KEY = 'xiaoqi.token';

export const auth = {
  get token() {
    return sessionStorage.getItem(TOKEN_KEY);
  },
  set(token) {
    sessionStorage.setItem(TOKEN_KEY, token);
  },
  clear() {
    sessionStorage.removeItem(TOKEN_KEY);
  },
};

export class ApiError extends Error {
  constructor(status, detail) {
    super(detail);
    this.status = status;
  }
}

const STATUS_TEXT = {
  401: '令牌无效或已过期，请重新登录',
  403: '当前角色无权使用此功能',
  404: '图谱中没有该实体',
  413: '请求过大',
  422: '参数不合法',
  429: '请求过于频繁，请稍后再试',
  503: '图谱存储暂不可用',
};

function url(path, params = {}) {
  const u = new URL(`/api/v1${path}`, window.location.origin);
  for (const [key, value] of Object.entries(params)) {
    if (value === null || value === undefined || value === '') continue;
    if (Array.isArray(value)) value.forEach((v) => u.searchParams.append(key, v));
    else u.searchParams.set(key, value);
  }
  return u;
}

async function request(path, params, token, body) {
  const headers = { Authorization: `Bearer ${token ?? auth.token ?? ''}`, Accept: 'application/json' };
  const init = { headers, cache: 'no-store' };
  if (body !== undefined) {
    init.method = 'POST';
    init.body = JSON.stringify(body);
    headers['Content-Type'] = 'application/json';
  }
  const response = await fetch(url(path, params), init);
  if (response.status === 401 && token === undefined) {
    auth.clear();
    window.dispatchEvent(new CustomEvent('xiaoqi:logout'));
  }
  if (!response.ok) {
    let detail = STATUS_TEXT[response.status] || `请求失败 (HTTP ${response.status})`;
    try {
      const body = await response.json();
      if (body && typeof body.detail === 'string') detail = `${detail}：${body.detail}`;
    } catch {
      /* not JSON: keep the generic text */
    }
    throw new ApiError(response.status, detail);
  }
  return response;
}

/** GET a JSON resource under /api/v1. */
export async function api(path, params = {}) {
  return (await request(path, params)).json();
}

/** POST a JSON body to /api/v1; returns the JSON answer. */
export async function post(path, body) {
  return (await request(path, {}, undefined, body)).json();
}

/**
 * Wait for a background job (GET /jobs/{id}) to leave queued/running; calls onTick(job, seconds)
 * after each poll. Returns the finished job; a failed job throws its error.
 */
export async function waitForJob(jobId, onTick = () => {}) {
  const started = Date.now();
  for (;;) {
    const job = await api(`/jobs/${encodeURIComponent(jobId)}`);
    onTick(job, Math.round((Date.now() - started) / 1000));
    if (job.status === 'done') return job;
    if (job.status === 'failed') throw new ApiError(500, `任务失败：${job.error || job.status}`);
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

/** Check a token before keeping it: the caller's identity, or an ApiError. */
export async function whoami(token) {
  return (await request('/me', {}, token)).json();
}

/** Download a file resource (the matching list) under the name the server gives. */
export async function download(path, params, fallbackName) {
  const response = await request(path, params);
  const blob = await response.blob();
  const disposition = response.headers.get('content-disposition') || '';
  const match = /filename="?([^";]+)"?/.exec(disposition);
  const link = document.createElement('a');
  link.href = URL.createObjectURL(blob);
  link.download = match ? match[1] : fallbackName;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
  return { demands: response.headers.get('x-demands'), rows: response.headers.get('x-rows') };
}
