import { describe, expect, it } from 'vitest';
import { devNamespace, isDnsLabel, joinLabel, studentKey, studentNamespace } from './names';

describe('student namespaces', () => {
  it('are DNS labels, readable and stable', () => {
    const ns = studentNamespace('cs101', 'alice');
    expect(ns).toMatch(/^cs101-alice-[0-9a-f]{8}$/);
    expect(studentNamespace('cs101', 'alice')).toBe(ns);
  });

  it('stay unique when ids sanitize alike', () => {
    expect(studentKey('ann-lee')).toBe('ann-lee');
    expect(studentKey('Ann.Lee')).not.toBe('ann-lee');
    expect(studentNamespace('c', 'Ann.Lee')).not.toBe(studentNamespace('c', 'ann-lee'));
  });

  it('stay unique whatever the separators between class and student', () => {
    expect(studentNamespace('a-b', 'c')).not.toBe(studentNamespace('a', 'b-c'));
  });

  it('stay unique and valid after truncation', () => {
    const long = 'x'.repeat(80);
    const names = new Set<string>();
    for (let i = 0; i < 500; i++) {
      const ns = studentNamespace('a-very-long-class-name-for-the-autumn-term', `${long}${i}@example.edu`);
      expect(isDnsLabel(ns)).toBe(true);
      names.add(ns);
    }
    expect(names.size).toBe(500);
  });

  it('keep the names earlier versions gave wherever the readable part is whole', () => {
    // Published namespaces are found by these names: they must not move.
    expect(studentNamespace('cs101', 'alice')).toBe('cs101-alice-b450cf7a');
    expect(studentNamespace('cs101', 'Ann.Lee@uni.edu')).toBe('cs101-ann-lee-uni-edu-54440b51-acc95cb5');
    expect(studentNamespace('net101', 'student-0042')).toBe('net101-student-0042-4b8ea851');
    expect(studentNamespace('c', '李雷')).toBe('c-e52e4362-1099f0ef');
    expect(studentKey('Ann.Lee@uni.edu')).toBe('ann-lee-uni-edu-54440b51');
  });

  it('carry 16 hex digits of hash when the readable part is cut (10,000 students with a long class name)', () => {
    const ns = studentNamespace('a-very-long-class-name-for-the-autumn-term', 'student-0042');
    expect(ns).toBe('a-very-long-class-name-for-the-autumn-term-stu-bc726dac0788bc22');
    expect(studentNamespace('cs101', `${'x'.repeat(80)}@example.edu`)).toMatch(/^cs101-x+-[0-9a-f]{16}$/);
  });

  it('handle ids that sanitize to nothing', () => {
    const ns = studentNamespace('c', '李雷');
    expect(isDnsLabel(ns)).toBe(true);
    expect(ns).not.toBe(studentNamespace('c', '韩梅梅'));
  });
});

describe('other names', () => {
  it('derives the dev namespace from the lab', () => {
    expect(devNamespace('web-db')).toBe('web-db-dev');
  });
  it('joins labels and shortens long ones with a hash', () => {
    expect(joinLabel('web', '80')).toBe('web-80');
    const j = joinLabel('n'.repeat(63), '8080');
    expect(isDnsLabel(j)).toBe(true);
    expect(j).not.toBe(joinLabel('n'.repeat(63), '8081'));
  });
});
