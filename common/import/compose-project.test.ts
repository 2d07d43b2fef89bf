import { describe, expect, it } from 'vitest';
import { importCompose } from './compose';
import { composeProjectName } from './compose-project';

const SERVICES = 'services:\n  web:\n    image: nginx\n';
const nameOf = (text: string, fileName: string, options = {}) => {
  const r = importCompose(text, fileName, options);
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return { name: r.lab.metadata.name, warnings: r.warnings.map((w) => `${w.line}: ${w.message}`) };
};

describe('the lab is named as compose names the project', () => {
  it('normalises like compose: lowercase, only [a-z0-9_-], no leading _ or -', () => {
    expect(composeProjectName('My Shop')).toBe('myshop');
    expect(composeProjectName('_Shop.Demo_2')).toBe('shopdemo_2');
    expect(composeProjectName('--x')).toBe('x');
    expect(composeProjectName('日本')).toBe('');
  });

  it('uses the folder holding the compose file', () => {
    expect(nameOf(SERVICES, 'compose.yaml', { directory: 'Shop.Demo_2' }).name).toBe('shopdemo-2');
    expect(nameOf(SERVICES, 'docker-compose.yml', { directory: 'wordpress' }).name).toBe('wordpress');
    // A name compose would not accept as a project name of its own falls through to the next.
    expect(nameOf(SERVICES, 'compose.yaml', { directory: '___' }).name).toBe('compose');
  });

  it('lets `name:` win over the folder, and warns at it when the lab name differs', () => {
    expect(nameOf(`name: webshop\n${SERVICES}`, 'compose.yaml', { directory: 'app' })).toEqual({ name: 'webshop', warnings: [] });
    expect(nameOf(`name: react_express\n${SERVICES}`, 'compose.yaml', { directory: 'app' })).toEqual({ name: 'react-express', warnings: ['1: the lab is named "react-express" (a DNS label)'] });
    // `name:` is interpolated like every other field.
    expect(nameOf(`name: \${PROJECT:-shop}-\${STAGE:-dev}\n${SERVICES}`, 'compose.yaml', { directory: 'app' }).name).toBe('shop-dev');
  });

  it('lets COMPOSE_PROJECT_NAME from the env file win over `name:`, and -p over both', () => {
    const text = `name: webshop\n${SERVICES}`;
    expect(nameOf(text, 'compose.yaml', { directory: 'app', env: { COMPOSE_PROJECT_NAME: 'from-env' } }).name).toBe('from-env');
    expect(nameOf(text, 'compose.yaml', { directory: 'app', env: { COMPOSE_PROJECT_NAME: 'from-env' }, projectName: 'Flag' }).name).toBe('flag');
  });

  it('falls back to the file name where the folder is not known (the app)', () => {
    expect(nameOf(SERVICES, 'docker-compose.yml').name).toBe('compose');
    expect(nameOf(SERVICES, 'wordpress-mysql.yaml').name).toBe('wordpress-mysql');
  });

  it('keeps the lab name a DNS label of at most 40 characters', () => {
    const { name } = nameOf(SERVICES, 'compose.yaml', { directory: `1st-${'x'.repeat(60)}` });
    expect(name).toMatch(/^n-1st-x+$/);
    expect(name.length).toBeLessThanOrEqual(40);
  });
});
