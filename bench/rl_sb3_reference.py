"""Stable-Baselines3 reference for docs/experiments.md ("Stable-Baselines3 on the same tasks"): train one agent with
rl-zoo3's hyperparameters for the task on one thread, then evaluate the deterministic policy over 100 episodes
(seeds 1,000,000 + seed + i, as `montague train rl` does), and print one JSON line with wall time and return.

    python3 bench/rl_sb3_reference.py ALGO ENV STEPS SEED      # e.g. ppo CartPole-v1 100000 1

Cases: dqn on CartPole-v1, Acrobot-v1 and MountainCar-v0; ppo on CartPole-v1; td3 on Pendulum-v1. Needs
`pip install stable-baselines3` in the bench venv. Run it under `/usr/bin/time` to get CPU time as well.
"""
import sys, time, json, numpy as np, torch, gymnasium as gym
torch.set_num_threads(1)
from stable_baselines3 import DQN, PPO, TD3
from stable_baselines3.common.env_util import make_vec_env
from stable_baselines3.common.noise import NormalActionNoise
algo, env_id, steps, seed = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
t0 = time.time()
if algo == 'dqn' and env_id == 'CartPole-v1':
    model = DQN('MlpPolicy', env_id, learning_rate=2.3e-3, batch_size=64, buffer_size=100000, learning_starts=1000,
                gamma=0.99, target_update_interval=10, train_freq=256, gradient_steps=128, exploration_fraction=0.16,
                exploration_final_eps=0.04, policy_kwargs=dict(net_arch=[256, 256]), seed=seed, device='cpu')
elif algo == 'dqn' and env_id == 'Acrobot-v1':
    model = DQN('MlpPolicy', env_id, learning_rate=6.3e-4, batch_size=128, buffer_size=50000, learning_starts=0,
                gamma=0.99, target_update_interval=250, train_freq=4, gradient_steps=-1, exploration_fraction=0.12,
                exploration_final_eps=0.1, policy_kwargs=dict(net_arch=[256, 256]), seed=seed, device='cpu')
elif algo == 'dqn' and env_id == 'MountainCar-v0':
    model = DQN('MlpPolicy', env_id, learning_rate=4e-3, batch_size=128, buffer_size=10000, learning_starts=1000,
                gamma=0.98, target_update_interval=600, train_freq=16, gradient_steps=8, exploration_fraction=0.2,
                exploration_final_eps=0.07, policy_kwargs=dict(net_arch=[256, 256]), seed=seed, device='cpu')
elif algo == 'ppo' and env_id == 'CartPole-v1':
    env = make_vec_env(env_id, n_envs=8, seed=seed)
    model = PPO('MlpPolicy', env, n_steps=32, batch_size=256, gae_lambda=0.8, gamma=0.98, n_epochs=20, ent_coef=0.0,
                learning_rate=lambda f: 1e-3 * f, clip_range=lambda f: 0.2 * f, seed=seed, device='cpu')
elif algo == 'td3' and env_id == 'Pendulum-v1':
    model = TD3('MlpPolicy', env_id, learning_rate=1e-3, buffer_size=200000, learning_starts=10000, gamma=0.98,
                action_noise=NormalActionNoise(np.zeros(1), 0.1 * np.ones(1)), policy_kwargs=dict(net_arch=[400, 300]),
                seed=seed, device='cpu')
else:
    raise SystemExit('unknown case')
model.learn(total_timesteps=steps)
wall = time.time() - t0
env = gym.make(env_id)
returns = []
for episode in range(100):
    obs, _ = env.reset(seed=1_000_000 + seed + episode)
    total, done = 0.0, False
    while not done:
        action, _ = model.predict(obs, deterministic=True)
        obs, reward, terminated, truncated, _ = env.step(action)
        total += reward
        done = terminated or truncated
    returns.append(total)
print(json.dumps(dict(algo=algo, env=env_id, steps=steps, seed=seed, wall_seconds=round(wall, 1),
                      eval_return_mean=float(np.mean(returns)), eval_return_std=float(np.std(returns)))), flush=True)
