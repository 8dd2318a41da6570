import { strachey } from '@strachey/vitest-config';

export default strachey();
