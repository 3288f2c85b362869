/* transition: pre-rendered slides and the frames between them. */
#include "transition.h"

#include <math.h>

#include "config.h"
#include "log.h"

void transition_free(struct transition *t) {
    if (t->cur) SDL_DestroyTexture(t->cur);
    if (t->next) SDL_DestroyTexture(t->next);
    t->cur = t->next = NULL;
    t->w = t->h = 0;
}

bool transition_targets(struct transition *t, SDL_Renderer *r) {
    if (t->unsupported) return false;
    int w, h;
    SDL_GetRendererOutputSize(r, &w, &h);
    if (t->cur && t->w == w && t->h == h) return true;
    transition_free(t);
    if (SDL_RenderTargetSupported(r)) {
        t->cur = SDL_CreateTexture(r, SDL_PIXELFORMAT_ARGB8888, SDL_TEXTUREACCESS_TARGET, w, h);
        t->next = SDL_CreateTexture(r, SDL_PIXELFORMAT_ARGB8888, SDL_TEXTUREACCESS_TARGET, w, h);
    }
    if (t->cur == NULL || t->next == NULL) {
        LOG(LOG_WARN, "no render targets (%s): slides change without transitions", SDL_GetError());
        transition_free(t);
        t->unsupported = true;
        return false;
    }
    t->w = w;
    t->h = h;
    return true;
}

void transition_draw(struct transition *t, SDL_Renderer *r, struct render *rd, bool next,
                     const struct render_frame *f) {
    SDL_SetRenderTarget(r, next ? t->next : t->cur);
    render_draw(rd, f);
    SDL_SetRenderTarget(r, NULL);
}

void transition_swap(struct transition *t) {
    SDL_Texture *x = t->cur;
    t->cur = t->next;
    t->next = x;
}

void transition_compose(const struct transition *t, SDL_Renderer *r, float p, int kind, bool ticker) {
    SDL_SetRenderDrawColor(r, 0, 0, 0, 255);
    SDL_RenderClear(r);
    if (p < 0) {
        SDL_SetTextureAlphaMod(t->cur, 255);
        SDL_SetTextureBlendMode(t->cur, SDL_BLENDMODE_NONE);
        SDL_RenderCopy(r, t->cur, NULL, NULL);
    } else if (kind == TRANSITION_PUSH) {
        /* The header and footer stay; only the body between them moves. */
        float e = p * p * (3 - 2 * p); /* smoothstep */
        int off = (int)lroundf(e * (float)t->w);
        SDL_Rect body = render_body_rect(t->w, t->h, ticker);
        SDL_Rect from = {-off, body.y, t->w, body.h}, to = {t->w - off, body.y, t->w, body.h};
        SDL_SetTextureBlendMode(t->cur, SDL_BLENDMODE_NONE);
        SDL_SetTextureBlendMode(t->next, SDL_BLENDMODE_NONE);
        SDL_RenderCopy(r, t->next, NULL, NULL); /* the new header and footer */
        SDL_RenderCopy(r, t->cur, &body, &from);
        SDL_RenderCopy(r, t->next, &body, &to);
    } else {
        SDL_SetTextureBlendMode(t->cur, SDL_BLENDMODE_NONE);
        SDL_RenderCopy(r, t->cur, NULL, NULL);
        SDL_SetTextureBlendMode(t->next, SDL_BLENDMODE_BLEND);
        SDL_SetTextureAlphaMod(t->next, (Uint8)lroundf(p * 255.0f));
        SDL_RenderCopy(r, t->next, NULL, NULL);
    }
}
