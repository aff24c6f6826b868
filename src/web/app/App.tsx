import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { Suspense } from 'react';
import { BrowserRouter } from 'react-router';
import type { Locale } from '../../shared/domain/locales.js';
import { isApiError } from '../api/client.js';
import { Loading } from '../components/Status.js';
import { ToastProvider } from '../components/Toasts.js';
import { LocaleProvider } from '../i18n/LocaleProvider.js';
import type { Messages } from '../i18n/messages.js';
import { ReauthHost } from './Reauth.js';
import { AppRoutes } from './routes.js';
import { SessionProvider } from './session.js';

function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        // A 4xx answer will not change on retry; a lost connection or a 5xx may.
        retry: (count, error) =>
          count < 2 && !(isApiError(error) && error.status >= 400 && error.status < 500),
        refetchOnWindowFocus: false,
        staleTime: 15_000,
      },
      mutations: { retry: false },
    },
  });
}

const queryClient = createQueryClient();

export function App({ locale, messages }: { locale: Locale; messages: Messages }) {
  return (
    <QueryClientProvider client={queryClient}>
      <LocaleProvider initialLocale={locale} initialMessages={messages}>
        <BrowserRouter>
          <ToastProvider>
            <SessionProvider>
              <Suspense fallback={<Loading />}>
                <AppRoutes />
              </Suspense>
              <ReauthHost />
            </SessionProvider>
          </ToastProvider>
        </BrowserRouter>
      </LocaleProvider>
    </QueryClientProvider>
  );
}
